// Board "Platform ranking": the failure-rate ranking the action plan asks to publish, and the seller view.
import type { BoardDef } from '../lib/board.ts';
import { failureRateRow } from './failure-rate.ts';
import { sellersRow } from './sellers.ts';

export const rankingBoard: BoardDef = {
  uid: 'shelfwatch-ranking',
  title: 'shelfwatch: Platform ranking',
  description: 'Problem listings / listings observed per platform and category (months in the time range); sellers by alerts.',
  rows: (ctx) => [failureRateRow(ctx), sellersRow(ctx)],
};
