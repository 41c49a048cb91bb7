// Recalls, row "Latest matches": the newest matches with the recall notice they match.
import { latestAlertsPanel } from '../lib/detector-panels.ts';
import type { BoardContext, RowSpec } from '../lib/panels.ts';
import { DETECTORS } from '../lib/sql.ts';

export const latestRow = (ctx: BoardContext): RowSpec => ({ title: 'Latest matches', panels: [latestAlertsPanel(ctx, DETECTORS.recalls, 'Latest recalled-product matches')] });
