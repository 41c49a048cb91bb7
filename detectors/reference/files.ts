// Streaming record readers for reference and analyst files: CSV (header row), NDJSON (one object a line) and
// JSON (a top-level array, or an object whose first array-valued property holds the records, like
// {"built": ..., "recalls": [...]}). In: a file path, format from the extension unless given, encoding
// (utf8 or latin1; a UTF-8 BOM is dropped). Out: an async iterable of {line, record} or {line, error}, so
// a caller reports each bad row by its line number and keeps the good ones. Memory stays bounded by the
// largest record, not the file; `onBytes` reports progress for a progress bar.
import { createReadStream } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import iconv from 'iconv-lite';
import { expectedError } from '../../pipeline/errors.ts';

export type FileFormat = 'csv' | 'ndjson' | 'json';
export type RawRecord = Record<string, unknown>;
export type FileRow = { line: number; record: RawRecord } | { line: number; error: string };

export function formatOf(path: string): FileFormat {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.csv') || p.endsWith('.tsv')) return 'csv';
  if (p.endsWith('.ndjson') || p.endsWith('.jsonl')) return 'ndjson';
  if (p.endsWith('.json')) return 'json';
  throw expectedError(`cannot tell the format of ${path} from its extension: use .csv, .ndjson/.jsonl or .json, or pass --format`);
}

export interface ReadOptions {
  format?: FileFormat;
  encoding?: 'utf8' | 'latin1';
  onBytes?: (bytes: number) => void;
}

async function* textChunks(path: string, opts: ReadOptions): AsyncGenerator<string> {
  const stream = createReadStream(path);
  const decoder = opts.encoding === 'latin1' ? iconv.getDecoder('latin1') : iconv.getDecoder('utf8', { stripBOM: true } as never);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    opts.onBytes?.(chunk.length);
    const s = decoder.write(chunk);
    if (s) yield s;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

export async function* readRecords(path: string, opts: ReadOptions = {}): AsyncGenerator<FileRow> {
  const format = opts.format ?? formatOf(path);
  if (format === 'csv') yield* readCsv(path, opts);
  else if (format === 'ndjson') yield* readNdjson(path, opts);
  else yield* readJsonArray(path, opts);
}

async function* readCsv(path: string, opts: ReadOptions): AsyncGenerator<FileRow> {
  const parser = parseCsv({ columns: true, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, delimiter: path.toLowerCase().endsWith('.tsv') ? '\t' : ',' });
  const feed = (async () => {
    try {
      for await (const s of textChunks(path, opts)) if (!parser.write(s)) await new Promise((r) => parser.once('drain', r));
      parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();
  try {
    for await (const item of parser as AsyncIterable<{ record: RawRecord; info: { lines: number; invalid_field_length?: number } }>) {
      yield { line: item.info.lines, record: item.record };
    }
  } catch (err) {
    // csv-parse stops at a structural error (an unclosed quote); report where, rows before it are kept.
    const e = err as Error & { lines?: number };
    yield { line: e.lines ?? 0, error: `CSV parse error: ${e.message}` };
  }
  await feed;
}

async function* readNdjson(path: string, opts: ReadOptions): AsyncGenerator<FileRow> {
  let buf = '';
  let line = 0;
  const one = (text: string): FileRow | null => {
    line++;
    return text.trim() ? parseElement(text, line) : null;
  };
  for await (const s of textChunks(path, opts)) {
    buf += s;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const r = one(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
      if (r) yield r;
    }
  }
  const r = one(buf);
  if (r) yield r;
}

/**
 * Streams the elements of a JSON array without parsing the whole file: a small scanner tracks strings and
 * nesting and cuts out each element of the records array, which is then JSON.parse'd on its own.
 */
async function* readJsonArray(path: string, opts: ReadOptions): AsyncGenerator<FileRow> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let recordsDepth = -1; // depth inside the records array: 1 for a root array, 2 for {"x": [...]}
  let rootIsObject = false;
  let current = '';
  let currentLine = 0;
  let capturing = false;
  let done = false;
  for await (const s of textChunks(path, opts)) {
    let start = capturing ? 0 : -1;
    for (let i = 0; i < s.length && !done; i++) {
      const c = s[i]!;
      if (c === '\n') line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        if (depth === recordsDepth && !capturing) {
          capturing = true;
          start = i;
          currentLine = line;
        }
        continue;
      }
      if (c === '[' || c === '{') {
        if (depth === 0) rootIsObject = c === '{';
        if (depth === recordsDepth && !capturing) {
          capturing = true;
          start = i;
          currentLine = line;
        }
        depth++;
        if (recordsDepth < 0 && c === '[' && ((depth === 1 && !rootIsObject) || (depth === 2 && rootIsObject))) recordsDepth = depth;
        continue;
      }
      if (c === ']' || c === '}') {
        depth--;
        if (capturing && depth === recordsDepth - 1) {
          // end of the records array while capturing a scalar element
          current += s.slice(start, i);
          yield parseElement(current, currentLine);
          capturing = false;
          current = '';
        }
        if (depth === recordsDepth - 1) done = true;
        continue;
      }
      if (c === ',' && depth === recordsDepth && capturing) {
        current += s.slice(start, i);
        yield parseElement(current, currentLine);
        current = '';
        capturing = false;
        continue;
      }
      if (depth === recordsDepth && !capturing && !/[\s,]/.test(c)) {
        capturing = true;
        start = i;
        currentLine = line;
      }
    }
    if (capturing && start >= 0) current += s.slice(start);
    if (done) break;
  }
  if (recordsDepth < 0) yield { line: 1, error: 'no array of records found (expected [ {...}, ... ] or {"records": [ ... ]})' };
  else if (!done) yield { line, error: 'file ends inside the records array (truncated?)' };
}

/** One JSON object (an NDJSON line, an element of a JSON array) as a row, or why it is not one. */
function parseElement(text: string, line: number): FileRow {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { line, error: 'expected a JSON object' };
    return { line, record: v as RawRecord };
  } catch (err) {
    return { line, error: `invalid JSON: ${(err as Error).message}` };
  }
}
