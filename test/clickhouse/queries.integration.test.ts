// Every query in pipeline/queries.ts runs on the local 18.16 server and on current ClickHouse (chdb), over the
// same rows (listings, livestreams, alerts, dead letters, and the aggregates ClickHouse derives from them), and
// both give the same answer; a replay of every row changes no answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesForVersion } from '../../pipeline/clickhouse/capabilities.ts';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { allStatements, migrate } from '../../pipeline/clickhouse/migrate.ts';
import { alertToRow, deadLetterToRow, listingToRow, livestreamToRow, type Row } from '../../pipeline/clickhouse/rows.ts';
import { makeDeadLetter } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { QUERIES, type QueryName } from '../../pipeline/queries.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { sampleAlerts, sampleLivestreamAlerts, sampleLivestreams } from '../../sinks/clickhouse/samples.ts';
import { insertStatement, runOnChdb } from '../support/chdb.ts';
import { randomDatabase } from '../support/clickhouse-server.ts';
import { setupClickHouse, type TestContext } from './helpers.ts';

// Today (UTC): the analyst queries default to this month / the last 90 days.
const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00.000Z');
const listings = sampleListings(60, 5, today);
const streams = sampleLivestreams(4, 5, 5, today.toISOString());
const alerts = [...sampleAlerts(listings, 5, 0.5), ...sampleLivestreamAlerts(streams)];
const deadLetters = ['invalid_json', 'schema_mismatch', 'invalid_json'].map((reason, i) =>
  makeDeadLetter({ stage: 'ingest', reason, error: 'x', topic: 't', partition: 0, offset: String(i), key: null, timestamp: new Date(0), value: 'v' }),
);
const tableRows: [string, Row[]][] = [
  ['listing_snapshots', listings.map(listingToRow)],
  ['livestream_snapshots', streams.map(livestreamToRow)],
  ['alerts', alerts.map(alertToRow)],
  ['dead_letters', deadLetters.map(deadLetterToRow)],
];
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
    // Twice: replays must not change answers (FINAL, uniqExact states).
    for (let i = 0; i < 2; i++) for (const [table, rows] of tableRows) await ch.insert(table, rows);
    const local = await ch.query(QUERIES[name](ch.database));
    expect(local.length).toBeGreaterThan(0);

    const { version } = await runOnChdb(['SELECT 1']);
    const db = randomDatabase('chdb');
    const inserts = tableRows.map(([table, rows]) => insertStatement(qualifiedTable(db, table), rows));
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

  it('a replay of every row changes no answer, aggregates included', async () => {
    const ch = t.client();
    await migrate(ch, ch.database, silentLogger);
    for (const [table, rows] of tableRows) await ch.insert(table, rows);
    const once = await Promise.all(names.map((n) => ch.query(QUERIES[n](ch.database))));
    for (const [table, rows] of tableRows) await ch.insert(table, rows.slice().reverse());
    const twice = await Promise.all(names.map((n) => ch.query(QUERIES[n](ch.database))));
    for (let i = 0; i < names.length; i++) expect({ [names[i]!]: twice[i] }).toEqual({ [names[i]!]: once[i] });
    // The aggregates hold what the sample holds: one seller row per credit code in the district.
    const district = await ch.query<{ seller_key: string; alerts: string }>(QUERIES.sellerAlertsInDistrict(ch.database));
    const inDistrict = alerts.filter((a) => a.region_code === '440305');
    expect(district.reduce((n, r) => n + Number(r.alerts), 0)).toBe(new Set(inDistrict.map((a) => a.alert_id)).size);
    const base = await ch.query<{ observations: string }>(QUERIES.priceBase(ch.database));
    expect(Number(base[0]!.observations)).toBe(listings.filter((l) => l.model === 'LT-2024A').length);
    // What the price detector seeds from: the same product under ClickHouse's key (lower case, no separators).
    const history = await ch.query<{ model_key: string; observations: string; price_quantiles: number[] }>(QUERIES.priceHistory(ch.database));
    const lt = history.filter((r) => r.model_key === 'lt2024a');
    expect(lt.reduce((n, r) => n + Number(r.observations), 0)).toBe(listings.filter((l) => l.model === 'LT-2024A' && l.currency === 'CNY').length);
    expect(lt.every((r) => r.price_quantiles.length === 5)).toBe(true);
  });
});
