// Isolation-forest scores for any CSV file: what `shelfwatch score-outliers` and the ODDS eval run.
// In: CSV text with a header row; columns to exclude (e.g. a label or an id); forest options.
// Out: one entry per data row, in input order: its score, or null and the reason when the row is bad; the
// feature columns used; the columns skipped because they are not numeric.
//
// Which columns are features: every column not excluded in which at least half of the non-empty values are
// numbers (so an id or a name column drops out by itself and is reported). A row with a missing or
// non-numeric value in a feature column, or the wrong number of fields, is a bad row: reported with its line
// number and reason, given no score, and left out of training; the good rows around it are still scored.
import { parse } from 'csv-parse/sync';
import { trainIsolationForest, type IsolationForestOptions } from './forest.ts';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export interface BadRow {
  /** 0-based data row index (header excluded). */
  readonly row: number;
  /** 1-based line number in the file where the record ends. */
  readonly line: number;
  readonly reason: string;
}

export interface FeatureTable {
  readonly header: readonly string[];
  readonly features: readonly string[];
  readonly skippedColumns: readonly string[];
  /** Per data row: its feature vector, or null when the row is bad. */
  readonly rows: readonly (number[] | null)[];
  /** Per data row: the raw fields, for excluded columns such as a label. */
  readonly raw: readonly string[][];
  readonly bad: readonly BadRow[];
}

export class CsvInputError extends Error {
  override name = 'CsvInputError';
  readonly expected = true;
}

export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export function readFeatureTable(csvText: string, exclude: readonly string[] = []): FeatureTable {
  const records = parse(csvText, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true, trim: true }) as unknown as {
    record: string[];
    info: { lines: number };
  }[];
  if (records.length === 0) throw new CsvInputError('the file is empty: expected a header row');
  const header = records[0]!.record;
  const missing = exclude.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvInputError(`--exclude names no column: ${missing.join(', ')} (columns: ${header.join(', ')})`);
  const data = records.slice(1);

  const candidates = header.map((_, i) => i).filter((i) => !exclude.includes(header[i]!));
  const features: number[] = [];
  const skipped: string[] = [];
  for (const i of candidates) {
    let nonEmpty = 0;
    let numeric = 0;
    for (const { record } of data) {
      const v = record[i];
      if (v === undefined || v === '') continue;
      nonEmpty++;
      if (parseNumber(v) !== null) numeric++;
    }
    if (nonEmpty > 0 && numeric * 2 >= nonEmpty) features.push(i);
    else skipped.push(header[i]!);
  }
  if (features.length === 0) throw new CsvInputError(`no numeric column to use as a feature (columns: ${header.join(', ')}; excluded: ${exclude.join(', ') || 'none'})`);

  const bad: BadRow[] = [];
  const rows = data.map(({ record, info }, row): number[] | null => {
    if (record.length !== header.length) {
      bad.push({ row, line: info.lines, reason: `${record.length} fields, the header has ${header.length}` });
      return null;
    }
    const out: number[] = [];
    for (const i of features) {
      const v = parseNumber(record[i]!);
      if (v === null) {
        bad.push({ row, line: info.lines, reason: record[i] === '' ? `column ${header[i]} is empty` : `column ${header[i]} is not a number: ${JSON.stringify(record[i]!.slice(0, 40))}` });
        return null;
      }
      out.push(v);
    }
    return out;
  });
  return { header, features: features.map((i) => header[i]!), skippedColumns: skipped, rows, raw: data.map((d) => d.record), bad };
}

/** Trains on the good rows and scores them; bad rows get null. */
export function scoreTable(table: FeatureTable, options: IsolationForestOptions, onProgress?: (done: number, total: number) => void): (number | null)[] {
  const good = table.rows.filter((r): r is number[] => r !== null);
  if (good.length === 0) throw new CsvInputError('every row is bad: nothing to train on');
  const forest = trainIsolationForest(good, options);
  const total = table.rows.length;
  return table.rows.map((r, i) => {
    if (onProgress && (i % 1000 === 999 || i === total - 1)) onProgress(i + 1, total);
    return r === null ? null : forest.score(r);
  });
}
