// The analysts' and Grafana's user `shelfwatch_reader` (readonly=1, users.xml written by `infra up`) on the
// local server, through the HTTP interface as an analyst uses it: it can SELECT from the shelfwatch database,
// and cannot INSERT, ALTER, DROP, CREATE, change settings or read other databases. Each attempt is checked
// on the server afterwards (as `default`): the probe table is unchanged.
// The reader only sees the configured database (config clickhouse.database), so the probe is a table with a
// random name there, dropped at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { qualifiedTable, quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import { loadConfig, secrets } from '../../pipeline/config.ts';
import { CLICKHOUSE_READER_USER } from '../../infra/local/clickhouse.ts';
import { uniqueName } from '../support/env.ts';

const config = loadConfig();
const db = config.clickhouse.database;
const probe = uniqueName('ro_probe');
const table = qualifiedTable(db, probe);
let admin: ClickHouse;

/** One statement over HTTP as the reader; returns the status and body (the server's error text). */
async function asReader(sql: string, params: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(config.clickhouse.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const auth = Buffer.from(`${CLICKHOUSE_READER_USER}:${process.env.SHELFWATCH_CLICKHOUSE_READER_PASSWORD ?? ''}`).toString('base64');
  const res = await fetch(url, { method: 'POST', body: sql, headers: { authorization: `Basic ${auth}` } });
  return { status: res.status, body: await res.text() };
}

const state = async () => ({
  rows: Number((await admin.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0]!.n),
  columns: (await admin.query<{ name: string }>(`SELECT name FROM system.columns WHERE database = '${db}' AND table = '${probe}' ORDER BY name`)).map((r) => r.name),
});

beforeAll(async () => {
  admin = createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  await admin.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(db)}`);
  await admin.command(`CREATE TABLE ${table} (id UInt32, note String) ENGINE = MergeTree ORDER BY id`);
  await admin.insert(probe, [{ id: 1, note: 'kept' }]);
});
afterAll(async () => {
  await admin?.command(`DROP TABLE IF EXISTS ${table}`);
  await admin?.close();
});

describe(`${CLICKHOUSE_READER_USER} (readonly) over HTTP`, () => {
  it('can read the shelfwatch database', async () => {
    const r = await asReader(`SELECT id, note FROM ${table} FORMAT JSONEachRow`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ id: 1, note: 'kept' });
  });

  it.each([
    ['INSERT', `INSERT INTO ${table} (id, note) VALUES (2, 'injected')`],
    ['INSERT ... SELECT', `INSERT INTO ${table} SELECT 3, 'x'`],
    ['ALTER ADD COLUMN', `ALTER TABLE ${table} ADD COLUMN extra String`],
    ['ALTER DELETE', `ALTER TABLE ${table} DELETE WHERE 1`],
    ['DROP TABLE', `DROP TABLE ${table}`],
    ['TRUNCATE', `TRUNCATE TABLE ${table}`],
    ['RENAME', `RENAME TABLE ${table} TO ${qualifiedTable(db, probe + '_x')}`],
    ['CREATE TABLE', `CREATE TABLE ${qualifiedTable(db, probe + '_new')} (a UInt8) ENGINE = Memory`],
    ['SET a setting', 'SET max_memory_usage = 1'],
    ['OPTIMIZE', `OPTIMIZE TABLE ${table}`],
  ])('refuses %s (READONLY, code 164) and nothing changes', async (_what, sql) => {
    const before = await state();
    const r = await asReader(sql);
    expect(r.status).not.toBe(200);
    expect(r.body).toMatch(/Code: 164\b/);
    expect(await state()).toEqual(before);
    const tables = await admin.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${db}' AND name LIKE '${probe}%'`);
    expect(tables.map((t) => t.name)).toEqual([probe]);
  });

  it('refuses a setting changed per query (URL parameter)', async () => {
    const r = await asReader(`SELECT 1`, { max_result_rows: '1000' });
    expect(r.status).not.toBe(200);
    expect(r.body).toMatch(/Code: 164\b/);
  });

  it('cannot read another database', async () => {
    const r = await asReader('SELECT count() FROM default.nonexistent_or_not');
    expect(r.status).not.toBe(200);
    expect(r.body).toMatch(/Code: 291\b|DATABASE_ACCESS_DENIED|Access denied/i);
  });
});
