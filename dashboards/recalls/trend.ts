// Recalls, row "Recalled products on sale": recalled-SKU matches by rule, platform and category.
import { alertsByRulePanels } from '../lib/detector-panels.ts';
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { DETECTORS } from '../lib/sql.ts';

export const trendRow = (ctx: BoardContext): RowSpec => ({ title: 'Recalled products on sale', panels: alertsByRulePanels(ctx, DETECTORS.recalls) });
