// Board "Pipeline health": throughput, lag, dead letters.
import type { BoardDef } from '../lib/board.ts';
import { deadLettersRow } from './dead-letters.ts';
import { throughputRow } from './throughput.ts';

export const pipelineHealthBoard: BoardDef = {
  uid: 'shelfwatch-pipeline',
  title: 'shelfwatch: Pipeline health',
  description: 'Rows written per table, lag from fetch to ClickHouse, dead letters by reason.',
  rows: (ctx) => [throughputRow(ctx), deadLettersRow(ctx)],
};
