// `shelfwatch export`: tables and queries from the local ClickHouse into Arrow IPC streams, NDJSON and CSV,
// read back with apache-arrow / csv-parse and compared; replays exported once (FINAL); a server error in the
// middle of the stream fails the export; 1M rows through the CLI with peak RSS reported and bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RecordBatchStreamReader, tableFromIPC } from 'apache-arrow';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../pipeline/clickhouse/migrate.ts';
import { listingToRow } from '../../pipeline/clickhouse/rows.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { exportQuery, tableSelect } from '../../sinks/export/export.ts';
import { setupClickHouse, type TestContext } from '../clickhouse/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'shelfwatch-export-'));
const listings = sampleListings(1000, 31).map((l, i) => (i === 3 ? { ...l, title: `quote " comma , newline \n "; DROP TABLE x; --`, price: null } : l));
let t: TestContext;
let ch: ReturnType<TestContext['client']>;

beforeAll(async () => {
  t = await setupClickHouse();
  ch = t.client();
  await migrate(ch, ch.database, silentLogger);
  await ch.insert('listing_snapshots', listings.map(listingToRow));
  await ch.insert('listing_snapshots', listings.map(listingToRow)); // a replay
});
afterAll(async () => t?.teardown());

const opts = () => ({ config: { ...t.config, database: ch.database }, password: '' });

describe('export', () => {
  it('a table to Arrow: every row once (FINAL), values read back equal with apache-arrow', async () => {
    const out = join(dir, 'listings.arrow');
    const r = await exportQuery({ ...opts(), sql: tableSelect(ch.database, 'listing_snapshots', 'ReplacingMergeTree'), format: 'arrow', out, batchRows: 64 });
    expect(r.rows).toBe(listings.length);
    const table = tableFromIPC(readFileSync(out));
    expect(table.numRows).toBe(listings.length);
    expect(table.batches.length).toBeGreaterThan(10);
    const byId = new Map(table.toArray().map((row) => [String(row.listing_id), row.toJSON() as Record<string, unknown>]));
    for (const l of [listings[0]!, listings[3]!, listings[999]!]) {
      const got = byId.get(l.listing_id)!;
      expect(got.title).toBe(l.title);
      expect(got.price).toBe(l.price);
      expect(got.fetched_at).toBe(Date.parse(l.fetched_at.slice(0, 19) + 'Z'));
      expect([...(got.ccc_numbers as Iterable<string>)]).toEqual(l.ccc_numbers);
      expect(got.http_status).toBe(l.http_status);
    }
    expect(table.schema.fields.find((f) => f.name === 'fetched_at')!.type.toString()).toBe('Timestamp<MILLISECOND, UTC>');
  });

  it('a query to NDJSON and CSV', async () => {
    const sql = `SELECT listing_id, title, price FROM ${ch.table('listing_snapshots')} FINAL ORDER BY listing_id`;
    const nd = join(dir, 'q.ndjson');
    const csv = join(dir, 'q.csv');
    await exportQuery({ ...opts(), sql, format: 'ndjson', out: nd, batchRows: 100 });
    await exportQuery({ ...opts(), sql, format: 'csv', out: csv, batchRows: 100 });
    const fromNd = readFileSync(nd, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { listing_id: string; title: string; price: number | null });
    const fromCsv = parseCsv(readFileSync(csv, 'utf8'), { columns: true }) as { listing_id: string; title: string; price: string }[];
    const expected = [...listings].sort((a, b) => (a.listing_id < b.listing_id ? -1 : 1));
    expect(fromNd.map((r) => r.title)).toEqual(expected.map((l) => l.title));
    expect(fromCsv.map((r) => r.title)).toEqual(expected.map((l) => l.title));
    expect(fromCsv.map((r) => (r.price === '' ? null : Number(r.price)))).toEqual(expected.map((l) => l.price));
  });

  it('an empty result is a valid Arrow stream with the schema', async () => {
    const out = join(dir, 'empty.arrow');
    const r = await exportQuery({ ...opts(), sql: `SELECT listing_id, price FROM ${ch.table('listing_snapshots')} WHERE 0`, format: 'arrow', out });
    expect(r.rows).toBe(0);
    const table = tableFromIPC(readFileSync(out));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['listing_id', 'price']);
  });

  it('fails on a server error in the middle of the stream (after rows were sent)', async () => {
    const out = join(dir, 'fail.ndjson');
    await expect(
      exportQuery({ ...opts(), sql: 'SELECT number, throwIf(number = 300000) AS x FROM system.numbers LIMIT 400000', format: 'ndjson', out }),
    ).rejects.toMatchObject({ code: 395 });
  });

  it('1M rows through the CLI: peak RSS bounded, the file reads back with apache-arrow', async () => {
    const out = join(dir, 'million.arrow');
    const sql = "SELECT number AS id, toString(number) AS name, concat('商品 ', toString(number % 977)) AS title, toFloat64(number) / 7 AS price, [number, number + 1] AS arr, toDateTime(1700000000 + number) AS t FROM system.numbers LIMIT 1000000";
    const child = spawn(process.execPath, [join(ROOT, 'bin/shelfwatch.js'), 'export', '--query', sql, '--out', out], {
      env: { ...process.env, SHELFWATCH_CLICKHOUSE_URL: t.config.url, SHELFWATCH_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    const m = /exported (\d+) rows.*peak RSS (\d+) MB/.exec(stderr);
    expect(m, stderr).not.toBeNull();
    expect(Number(m![1])).toBe(1_000_000);
    // The CLI itself (tsx, commander, client) takes ~150 MB; the export adds one batch.
    expect(Number(m![2])).toBeLessThan(350);
    process.stdout.write(`export 1M rows: ${stderr.trim()}\n`);
    let rows = 0;
    let idSum = 0n;
    const reader = await RecordBatchStreamReader.from(createReadStream(out));
    for await (const batch of reader) {
      rows += batch.numRows;
      for (const v of batch.getChild('id')!) idSum += v as bigint;
    }
    expect(rows).toBe(1_000_000);
    expect(idSum).toBe((999_999n * 1_000_000n) / 2n);
  }, 120_000);
});
