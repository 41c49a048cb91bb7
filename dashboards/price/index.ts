// Board "Price anomalies": the price information base against observed prices, worst offenders.
import type { BoardDef } from '../lib/board.ts';
import { baseRow } from './base.ts';
import { offendersRow } from './offenders.ts';

export const priceBoard: BoardDef = {
  uid: 'shelfwatch-price',
  title: 'shelfwatch: Price anomalies',
  description: 'The price information base per key product against observed prices; the lowest-priced listings.',
  rows: (ctx) => [baseRow(ctx), offendersRow(ctx)],
};
