// Board "Recalls": recalled defective products still on sale.
import type { BoardDef } from '../lib/board.ts';
import { latestRow } from './latest.ts';
import { trendRow } from './trend.ts';

export const recallsBoard: BoardDef = {
  uid: 'shelfwatch-recalls',
  title: 'shelfwatch: Recalls',
  description: 'Listings matching recall notices: by rule, platform and category; the latest matches with the notice.',
  rows: (ctx) => [trendRow(ctx), latestRow(ctx)],
};
