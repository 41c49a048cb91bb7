// sqlString round-trips hostile strings through the real server (18.16 here) and through chdb (current
// ClickHouse): SELECT <escaped> returns exactly the input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlString } from '../../pipeline/clickhouse/escape.ts';
import { runOnChdb } from '../support/chdb.ts';
import { HOSTILE, setupClickHouse, type TestContext } from './helpers.ts';


let t: TestContext;
beforeAll(async () => {
  t = await setupClickHouse();
});
afterAll(async () => {
  await t?.teardown();
});

describe('sqlString round trip', () => {
  it.each(HOSTILE.map((s, i) => [i, s] as const))('#%i on the server', async (_i, s) => {
    const rows = await t.client().query<{ v: string }>(`SELECT ${sqlString(s)} AS v`);
    expect(rows).toEqual([{ v: s }]);
  });

  it('all at once in an array, on the server', async () => {
    const rows = await t.client().query<{ v: string[] }>(`SELECT [${HOSTILE.map(sqlString).join(', ')}] AS v`);
    expect(rows[0]?.v).toEqual(HOSTILE);
  });

  it('all of them on chdb (current ClickHouse)', async () => {
    const { results } = await runOnChdb(HOSTILE.map((s) => `SELECT ${sqlString(s)} AS v`));
    expect(results.map((r) => r[0]?.v)).toEqual(HOSTILE);
  });
});
