// Every query in pipeline/queries.ts runs on the local 18.16 server and on current ClickHouse (chdb), over the
// same rows, and both give the same answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesForVersion } from '../../pipeline/clickhouse/capabilities.ts';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { allStatements, migrate } from '../../pipeline/clickhouse/migrate.ts';
import { deadLetterToRow, listingToRow } from '../../pipeline/clickhouse/rows.ts';
import { makeDeadLetter } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { QUERIES, type QueryName } from '../../pipeline/queries.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { insertStatement, runOnChdb } from '../support/chdb.ts';
import { randomDatabase } from '../support/clickhouse-server.ts';
import { setupClickHouse, type TestContext } from './helpers.ts';

const listings = sampleListings(60, 5);
const deadLetters = ['invalid_json', 'schema_mismatch', 'invalid_json'].map((reason, i) =>
  makeDeadLetter({ stage: 'ingest', reason, error: 'x', topic: 't', partition: 0, offset: String(i), key: null, timestamp: new Date(0), value: 'v' }),
);
const names = Object.keys(QUERIES) as QueryName[];
const numeric = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])));

let t: TestContext;
beforeAll(async () => {
  t = await setupClickHouse();
});
afterAll(async () => t?.teardown());

describe('the project queries', () => {
  it.each(names)('%s gives the same rows on 18.16 and on current ClickHouse', async (name) => {
    const ch = t.client();
    await migrate(ch, ch.database, silentLogger);
    // Twice: replays must not change answers (FINAL).
    for (let i = 0; i < 2; i++) {
      await ch.insert('listing_snapshots', listings.map(listingToRow));
      await ch.insert('dead_letters', deadLetters.map(deadLetterToRow));
    }
    const local = await ch.query(QUERIES[name](ch.database));
    expect(local.length).toBeGreaterThan(0);

    const { version } = await runOnChdb(['SELECT 1']);
    const db = randomDatabase('chdb');
    const inserts = [insertStatement(qualifiedTable(db, 'listing_snapshots'), listings.map(listingToRow)), insertStatement(qualifiedTable(db, 'dead_letters'), deadLetters.map(deadLetterToRow))];
    const { results } = await runOnChdb([...allStatements(db, capabilitiesForVersion(version)), ...inserts, ...inserts, QUERIES[name](db)]);
    // 64-bit integers arrive quoted from the HTTP interface and as numbers from chdb: compare values.
    expect(numeric(results.at(-1)!)).toEqual(numeric(local));
  });

  it('count what was inserted, once', async () => {
    const ch = t.client();
    await migrate(ch, ch.database, silentLogger);
    await ch.insert('listing_snapshots', listings.map(listingToRow));
    await ch.insert('listing_snapshots', listings.map(listingToRow));
    const rows = await ch.query<{ listings: string }>(QUERIES.landedPerPlatform(ch.database));
    expect(rows.reduce((a, r) => a + Number(r.listings), 0)).toBe(listings.length);
  });
});
