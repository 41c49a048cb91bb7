// Migrations and tables on the real server (18.16 here) and on chdb (current ClickHouse): migrations apply
// twice; rows written through rows.ts read back equal; replays (the same rows inserted twice) count once
// with FINAL; SQL-looking text in a listing is stored verbatim; capability detection picks each path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE_CAPABILITIES, detectCapabilities } from '../../pipeline/clickhouse/capabilities.ts';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { allStatements, appliedMigrations, migrate } from '../../pipeline/clickhouse/migrate.ts';
import { migrations } from '../../pipeline/clickhouse/migrations/index.ts';
import {
  TABLES,
  alertFromRow,
  alertToRow,
  deadLetterFromRow,
  deadLetterToRow,
  listingFromRow,
  listingToRow,
  livestreamFromRow,
  livestreamToRow,
  type Row,
} from '../../pipeline/clickhouse/rows.ts';
import { contentHash, deadLetterId, snapshotId, type ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { alertExample, deadLetterExample, listingExample, livestreamExample } from '../contracts/examples.ts';
import { insertStatement, runOnChdb } from '../support/chdb.ts';
import { randomDatabase } from '../support/clickhouse-server.ts';
import { HOSTILE, setupClickHouse, type TestContext } from './helpers.ts';

let t: TestContext;
beforeAll(async () => {
  t = await setupClickHouse();
});
afterAll(async () => {
  await t?.teardown();
});

function hostileListing(i: number, title: string): ListingSnapshot {
  const l = listingExample({ listing_id: `evil-${i}`, title, content_hash: contentHash(`evil ${i}`) });
  return { ...l, snapshot_id: snapshotId(l.platform, l.listing_id, l.content_hash), attributes: { [`k'${i}`]: title, 'x`); --': 'v' } };
}

const listings = [
  listingExample(),
  listingExample({ listing_id: 'item-2', price: null, currency: null, fetched_at: '2026-12-31T23:59:59.999Z', attributes: {}, images: [] }),
  // Float64 prices must print back to the same JS number on both servers.
  listingExample({ listing_id: 'item-3', price: 0.1 + 0.2, original_price: 999_999_999_999.99, fetched_at: '2027-01-01T00:00:00.001Z' }),
  listingExample({ listing_id: 'item-4', price: 19.99, original_price: 1e-7, currency: 'JPY' }),
  ...["'); DROP TABLE listing_snapshots; --", "Robert'); DROP TABLE students;--", ...HOSTILE.slice(8, 16)].map((s, i) => hostileListing(i, s)),
].map((l) => ({ ...l, snapshot_id: snapshotId(l.platform, l.listing_id, l.content_hash) }));
const livestreams = [livestreamExample(), livestreamExample({ room_id: 'room-43', product: null, transcript: [], viewer_count: null })];
const alerts = [alertExample(), alertExample({ alert_id: 'a'.repeat(64), platform: 'other', evidence: { observed: {}, reference: { q: "'; --" } } })];
const deadLetters = [deadLetterExample(), deadLetterExample({ dead_letter_id: deadLetterId('t', 0, '1', 'ingest'), source: { ...deadLetterExample().source, key: null } })];

const ORDER = {
  listing_snapshots: 'platform, listing_id, snapshot_id',
  livestream_snapshots: 'platform, room_id, snapshot_id',
  alerts: 'platform, alert_id',
  dead_letters: 'stage, dead_letter_id',
} as const;

/** Tables and aggregate views (materialized views, issue 5) every migrated database has. */
const TABLE_NAMES = ['alerts', 'dead_letters', 'listing_snapshots', 'livestream_snapshots', 'schema_migrations',
  'price_base_daily', 'alerts_daily', 'listings_observed_monthly', 'problem_listings_monthly', 'livestream_rooms_daily', 'livestream_alerts_daily', 'seller_alerts_daily'];
const byId = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('on the local server', () => {
  it('migrate creates the database and tables, and applying again is a no-op', async () => {
    const ch = t.client();
    const first = await migrate(ch, ch.database, silentLogger);
    expect(first).toEqual(migrations.map((m) => m.id));
    expect(await migrate(ch, ch.database, silentLogger)).toEqual([]);
    expect([...(await appliedMigrations(ch, ch.database))].sort()).toEqual(migrations.map((m) => m.id));
    // And every statement once more, raw: all idempotent.
    const caps = await detectCapabilities(ch);
    for (const sql of allStatements(ch.database, caps)) await ch.command(sql);
    // Materialized views' storage ('.inner.<view>') aside.
    const tables = await ch.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${ch.database}' AND name NOT LIKE '.inner%' ORDER BY name`);
    expect(tables.map((r) => r.name)).toEqual([...TABLE_NAMES].sort());
  });

  it('capability detection gives the 18.16 path on 18.16', async () => {
    const caps = await detectCapabilities(t.client());
    if (caps.major === 18) {
      expect(caps).toEqual({ ...BASELINE_CAPABILITIES, version: caps.version, minor: caps.minor });
    } else {
      expect(caps.lowCardinality).toBe(caps.major >= 20); // a newer configured server: at least consistent
    }
  });

  it('rows written through rows.ts read back equal; replays count once with FINAL; SQL text is data', async () => {
    const ch = t.client();
    await migrate(ch, ch.database, silentLogger);
    for (let replay = 0; replay < 2; replay++) {
      await ch.insert(TABLES.listing_snapshots, listings.map(listingToRow));
      await ch.insert(TABLES.livestream_snapshots, livestreams.map(livestreamToRow));
      await ch.insert(TABLES.alerts, alerts.map(alertToRow));
      await ch.insert(TABLES.dead_letters, deadLetters.map(deadLetterToRow));
    }
    const read = async (table: keyof typeof ORDER) => ch.query<Row>(`SELECT * FROM ${ch.table(table)} FINAL ORDER BY ${ORDER[table]}`);
    const gotListings = (await read('listing_snapshots')).map(listingFromRow);
    expect(gotListings).toEqual(byId(listings, (l) => `${l.platform}\u0000${l.listing_id}\u0000${l.snapshot_id}`));
    expect((await read('livestream_snapshots')).map(livestreamFromRow)).toEqual(byId(livestreams, (l) => `${l.platform}\u0000${l.room_id}`));
    expect((await read('alerts')).map(alertFromRow)).toEqual(byId(alerts, (a) => `${a.platform}\u0000${a.alert_id}`));
    expect((await read('dead_letters')).map(deadLetterFromRow)).toEqual(byId(deadLetters, (d) => `${d.stage}\u0000${d.dead_letter_id}`));
    // Without FINAL the replayed copies are (until a merge) still there: FINAL is what makes them count once.
    const [raw] = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${ch.table('listing_snapshots')}`);
    expect(Number(raw?.n)).toBeGreaterThanOrEqual(listings.length);
    const [final] = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${ch.table('listing_snapshots')} FINAL`);
    expect(Number(final?.n)).toBe(listings.length);
    // The injection attempts are stored as titles, and the table is still there.
    const titles = await ch.query<{ title: string }>(`SELECT title FROM ${ch.table('listing_snapshots')} FINAL WHERE listing_id LIKE 'evil-%' ORDER BY listing_id`);
    expect(titles.map((r) => r.title).sort()).toEqual(listings.filter((l) => l.listing_id.startsWith('evil-')).map((l) => l.title).sort());
    // ingested_at got the server's DEFAULT now(), not 1970.
    const [ing] = await ch.query<{ t: string }>(`SELECT min(ingested_at) AS t FROM ${ch.table('listing_snapshots')}`);
    expect(ing!.t > '2020').toBe(true);
  });
});

describe('on chdb (current ClickHouse)', () => {
  it('capability detection gives the modern path', async () => {
    const caps = await detectCapabilities({ query: async <T>(sql: string) => (await runOnChdb([sql])).results[0] as T[] });
    expect(caps).toMatchObject({ lowCardinality: true, ttl: true, queryParams: true, dateTime64: true, arrowInput: true });
    expect(caps.major).toBeGreaterThanOrEqual(24);
  });

  it('the migrations apply twice, in the modern variant and in the 18.16 variant', async () => {
    const { version } = await runOnChdb(['SELECT 1']);
    const modern = (await import('../../pipeline/clickhouse/capabilities.ts')).capabilitiesForVersion(version);
    const a = randomDatabase('chdb');
    const b = randomDatabase('chdb');
    const statements = [...allStatements(a, modern), ...allStatements(a, modern), ...allStatements(b, BASELINE_CAPABILITIES), ...allStatements(b, BASELINE_CAPABILITIES)];
    const { results } = await runOnChdb([...statements, `SELECT database, name FROM system.tables WHERE database IN ('${a}', '${b}') AND name NOT LIKE '.inner%' ORDER BY database, name`]);
    expect(results.at(-1)!.length).toBe(2 * TABLE_NAMES.length);
    const types = await runOnChdb([...allStatements(a, modern), `SELECT type FROM system.columns WHERE database = '${a}' AND table = 'listing_snapshots' AND name = 'platform'`]);
    expect(types.results.at(-1)).toEqual([{ type: 'LowCardinality(String)' }]);
  });

  it('rows written through rows.ts read back equal; replays count once with FINAL', async () => {
    const { version } = await runOnChdb(['SELECT 1']);
    const caps = (await import('../../pipeline/clickhouse/capabilities.ts')).capabilitiesForVersion(version);
    const db = randomDatabase('chdb');
    const tbl = (n: string) => qualifiedTable(db, n);
    const inserts = [
      insertStatement(tbl('listing_snapshots'), listings.map(listingToRow)),
      insertStatement(tbl('livestream_snapshots'), livestreams.map(livestreamToRow)),
      insertStatement(tbl('alerts'), alerts.map(alertToRow)),
      insertStatement(tbl('dead_letters'), deadLetters.map(deadLetterToRow)),
    ];
    const selects = (Object.keys(ORDER) as (keyof typeof ORDER)[]).map((name) => `SELECT * FROM ${tbl(name)} FINAL ORDER BY ${ORDER[name]}`);
    const { results } = await runOnChdb([...allStatements(db, caps), ...inserts, ...inserts, ...selects, `SELECT count() AS n FROM ${tbl('listing_snapshots')} FINAL`]);
    const [l, s, a, d, n] = results.slice(-5);
    expect(l!.map(listingFromRow)).toEqual(byId(listings, (x) => `${x.platform}\u0000${x.listing_id}\u0000${x.snapshot_id}`));
    expect(s!.map(livestreamFromRow)).toEqual(byId(livestreams, (x) => `${x.platform}\u0000${x.room_id}`));
    expect(a!.map(alertFromRow)).toEqual(byId(alerts, (x) => `${x.platform}\u0000${x.alert_id}`));
    expect(d!.map(deadLetterFromRow)).toEqual(byId(deadLetters, (x) => `${x.stage}\u0000${x.dead_letter_id}`));
    expect(Number(n![0]!.n)).toBe(listings.length);
  });
});
