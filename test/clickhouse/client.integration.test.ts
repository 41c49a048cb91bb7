// The client against a real server (Debian's 18.16 here, or SHELFWATCH_CLICKHOUSE_URL): query, command,
// insert, errors parsed into {code, type, retryable, dataError}, authentication, compression.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse } from '../../pipeline/clickhouse/client.ts';
import { ClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import { setupClickHouse, type TestContext } from './helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupClickHouse();
});
afterAll(async () => {
  await t?.teardown();
});

async function caught(p: Promise<unknown>): Promise<ClickHouseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClickHouseError);
  return err as ClickHouseError;
}

describe('client', () => {
  it('pings, queries, runs commands and inserts JSONEachRow', async () => {
    const ch = t.client();
    await ch.ping();
    const [row] = await ch.query<{ one: number; v: string }>('SELECT 1 AS one, version() AS v;');
    expect(row?.one).toBe(1);
    expect(row?.v).toMatch(/^\d+\.\d+/);
    await ch.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(ch.database)}`);
    await ch.command(`CREATE TABLE ${ch.table('t')} (a String, n UInt16, at DateTime('UTC') DEFAULT now()) ENGINE = MergeTree ORDER BY a`);
    await ch.insert('t', [
      { a: 'x', n: 1 },
      { a: 'y', n: 2 },
    ]);
    await ch.insert('t', []); // no request at all
    const rows = await ch.query<{ a: string; n: number; at: string }>(`SELECT a, n, at FROM ${ch.table('t')} ORDER BY a`);
    expect(rows.map((r) => [r.a, r.n])).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    // Omitted columns get their DEFAULT (18.16 would store 1970-01-01 if the INSERT did not list its columns).
    for (const r of rows) expect(r.at > '2020').toBe(true);
  });

  it('parses an unknown table into a permanent error', async () => {
    const ch = t.client();
    const e = await caught(ch.query('SELECT * FROM default.shelfwatch_no_such_table'));
    expect({ code: e.code, type: e.type, retryable: e.retryable, dataError: e.dataError }).toEqual({ code: 60, type: 'UNKNOWN_TABLE', retryable: false, dataError: false });
  });

  it('parses a syntax error', async () => {
    const e = await caught(t.client().command('CREATE TABLE ((('));
    expect([e.code, e.type, e.retryable]).toEqual([62, 'SYNTAX_ERROR', false]);
  });

  it('reports rows the server cannot parse as a data error', async () => {
    const ch = t.client();
    await ch.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(ch.database)}`);
    await ch.command(`CREATE TABLE ${ch.table('d')} (n UInt16) ENGINE = MergeTree ORDER BY n`);
    const e = await caught(ch.insert('d', [{ n: 'not a number' }]));
    expect(e.dataError).toBe(true);
    expect(e.retryable).toBe(false);
    expect([6, 26, 27, 38, 41, 53, 72, 117]).toContain(e.code);
  });

  it('reports an unreachable server as a retryable network error', async () => {
    const ch = createClickHouse({ ...t.config, url: 'http://127.0.0.1:1', requestTimeoutMs: 2000 });
    const e = await caught(ch.query('SELECT 1'));
    expect(e.code).toBeNull();
    expect(e.retryable).toBe(true);
    expect(['NETWORK', 'TIMEOUT']).toContain(e.type);
    await ch.close();
  });

  it('reports a wrong password as a permanent error', async () => {
    const ch = createClickHouse({ ...t.config, username: 'shelfwatch_nobody' }, { password: 'wrong' });
    const e = await caught(ch.query('SELECT 1'));
    expect(e.retryable).toBe(false);
    expect([192, 193, 194, 516]).toContain(e.code);
    await ch.close();
  });

  it('works with gzip in both directions', async () => {
    const ch = createClickHouse({ ...t.config, database: t.client().database }, { compression: true });
    await ch.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(ch.database)}`);
    await ch.command(`CREATE TABLE ${ch.table('z')} (s String) ENGINE = MergeTree ORDER BY s`);
    const big = 'é'.repeat(50_000);
    await ch.insert('z', [{ s: big }]);
    expect(await ch.query(`SELECT s FROM ${ch.table('z')}`)).toEqual([{ s: big }]);
    await ch.command(`DROP DATABASE ${quoteIdentifier(ch.database)}`);
    await ch.close();
  });

  it('never shows the password in its url', () => {
    const ch = createClickHouse({ ...t.config, url: 'http://u:secret@127.0.0.1:8123/' });
    expect(ch.url).toBe('http://127.0.0.1:8123');
    void ch.close();
  });
});
