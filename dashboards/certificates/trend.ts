// Certificates and licences, row "Trend": alerts of the certificate and licence detectors by rule.
import { alertsByRulePanels } from '../lib/detector-panels.ts';
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { DETECTORS } from '../lib/sql.ts';

export const trendRow = (ctx: BoardContext): RowSpec => ({ title: 'Trend', panels: alertsByRulePanels(ctx, DETECTORS.certificates) });
