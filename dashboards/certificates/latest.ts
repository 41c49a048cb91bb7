// Certificates and licences, row "Latest": the newest alerts with what the register says.
import { latestAlertsPanel } from '../lib/detector-panels.ts';
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { DETECTORS } from '../lib/sql.ts';

export const latestRow = (ctx: BoardContext): RowSpec => ({ title: 'Latest', panels: [latestAlertsPanel(ctx, DETECTORS.certificates, 'Latest certificate and licence alerts')] });
