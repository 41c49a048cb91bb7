// Which topic lands in which table, and how a message becomes a row. A later topic plugs in by adding one
// route here (and its table in a migration). In: nothing. Out: SINK_ROUTES.
import { LISTING_COLUMNS, TABLES, alertToRow, deadLetterToRow, listingToLine, listingToRow, livestreamToRow, type Row } from '../../pipeline/clickhouse/rows.ts';
import type { Alert, DeadLetter, ListingSnapshot, LivestreamSnapshot } from '../../pipeline/contracts/index.ts';
import { drop, dlq, type StepResult } from '../../pipeline/runtime/result.ts';
import { topics, type TopicSpec } from '../../pipeline/topics.ts';
import { maxListingLineBytes, writeListingLine } from './listing-wire.ts';

/** A topic whose wire bytes become rows without being parsed (the runtime hands them over raw). */
export interface WireLines {
  /** Writes the row's JSONEachRow line (with its newline) for `raw` into `out` at `at`; the end, or -1: use the contract's path. */
  write(raw: Buffer, out: Buffer, at: number): number;
  /** Room `write` may need for `raw`. */
  maxBytes(raw: Buffer): number;
  /** Columns the INSERT names (every line names exactly these). */
  columns: readonly string[];
}

export interface SinkRoute {
  topic: TopicSpec;
  table: string;
  toRow: (value: never) => Row;
  /** The JSONEachRow line of toRow(value) (same text), without the newline; throws where toRow throws. */
  toLine: (value: never) => string;
  /** When the wire JSON is most of the row already: how its bytes become the row's line (config sink.clickhouse.wireLines). */
  wire?: WireLines;
  /** What becomes of a message whose row cannot be built or that the server rejects as data. */
  onRejected: (reason: string, err: unknown) => StepResult;
}

const toDeadLetterTopic = (reason: string, err: unknown) => dlq(reason, err);

const viaRow =
  <T>(toRow: (v: T) => Row) =>
  (v: T): string =>
    JSON.stringify(toRow(v));

export const SINK_ROUTES: readonly SinkRoute[] = [
  { topic: topics.listings, table: TABLES.listing_snapshots, toRow: listingToRow as (v: ListingSnapshot) => Row, toLine: listingToLine as (v: ListingSnapshot) => string, wire: { write: writeListingLine, maxBytes: maxListingLineBytes, columns: LISTING_COLUMNS }, onRejected: toDeadLetterTopic },
  { topic: topics.livestreams, table: TABLES.livestream_snapshots, toRow: livestreamToRow as (v: LivestreamSnapshot) => Row, toLine: viaRow(livestreamToRow), onRejected: toDeadLetterTopic },
  { topic: topics.alerts, table: TABLES.alerts, toRow: alertToRow as (v: Alert) => Row, toLine: viaRow(alertToRow), onRejected: toDeadLetterTopic },
  // Dead letters never go back to the dead-letter topic: that would loop. Dropped with a reason, counted and
  // logged; the message is still on the dead-letter topic.
  { topic: topics.deadLetters, table: TABLES.dead_letters, toRow: deadLetterToRow as (v: DeadLetter) => Row, toLine: viaRow(deadLetterToRow), onRejected: (r) => drop(r) },
];

export const REJECT_REASONS = {
  unmappable: 'unmappable_row',
  rejected: 'clickhouse_rejected_row',
} as const;
