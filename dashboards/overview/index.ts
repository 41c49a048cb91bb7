// Board "Overview": what was crawled, alerts by detector, the trend.
import type { BoardDef } from '../lib/board.ts';
import { alertsRow } from './alerts.ts';
import { crawledRow } from './crawled.ts';

export const overviewBoard: BoardDef = {
  uid: 'shelfwatch-overview',
  title: 'shelfwatch: Overview',
  description: 'Listings crawled, alerts by detector and their trend.',
  rows: (ctx) => [crawledRow(ctx), alertsRow(ctx)],
};
