// Lines made from listings' wire bytes (writeListingLine) land as the rows listingToRow makes: on the local 18.16 server (through the sink's streaming INSERT) and on current ClickHouse
// (chdb), read back equal to the snapshots, including awkward and hostile text, and a replay counts once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesForVersion } from '../../pipeline/clickhouse/capabilities.ts';
import { qualifiedTable, quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import { allStatements, migrate } from '../../pipeline/clickhouse/migrate.ts';
import { LISTING_COLUMNS, listingFromRow } from '../../pipeline/clickhouse/rows.ts';
import type { ListingSnapshot } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { createHttpInserter } from '../../sinks/clickhouse/http-insert.ts';
import { maxListingLineBytes, writeListingLine } from '../../sinks/clickhouse/listing-wire.ts';
import { runOnChdb } from '../support/chdb.ts';
import { randomDatabase } from '../support/clickhouse-server.ts';
import { HOSTILE, setupClickHouse, type TestContext } from '../clickhouse/helpers.ts';
import { listingExample } from '../contracts/examples.ts';

const listings: ListingSnapshot[] = [
  listingExample(),
  listingExample({ listing_id: 'nulls', price: null, currency: null, original_price: null, brand: null, model: null, category: null, gtin: null, images: [], ccc_numbers: [] }),
  listingExample({ listing_id: 'attrs', attributes: { 颜色: '白色', "'); DROP TABLE x; --": 'a\nb', b: '' }, fetched_at: '2024-02-29T23:59:59.007Z' }),
  ...HOSTILE.filter((t) => t.length > 0 && t.length <= 500).map((title, i) => listingExample({ listing_id: `hostile-${i}`, title, brand: title, fetched_at: `2026-11-01T08:30:00.0${String(i % 100).padStart(2, '0')}Z` })),
  ...sampleListings(200, 31),
];

function wireLines(): Buffer {
  const parts: Buffer[] = [];
  for (const l of listings) {
    const raw = Buffer.from(JSON.stringify(l));
    const out = Buffer.alloc(maxListingLineBytes(raw));
    const end = writeListingLine(raw, out, 0);
    if (end < 0) throw new Error(`not a plain listing: ${l.listing_id}`);
    parts.push(out.subarray(0, end));
  }
  return Buffer.concat(parts);
}

const key = (l: ListingSnapshot) => `${l.platform}\u0000${l.listing_id}\u0000${l.snapshot_id}`;
const sorted = (xs: ListingSnapshot[]) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('listing wire lines land as rows', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await setupClickHouse();
  });
  afterAll(async () => {
    await ctx?.teardown();
  });

  it('on the local server, through the streaming INSERT; twice counts once', async () => {
    const ch = ctx.client();
    await migrate(ch, ch.database, silentLogger);
    const inserter = createHttpInserter({ ...ctx.config, database: ch.database }, '');
    try {
      const lines = wireLines();
      for (let round = 0; round < 2; round++) {
        const stream = inserter.open('listing_snapshots', LISTING_COLUMNS);
        stream.write(lines.subarray(0, 1000));
        stream.write(lines.subarray(1000));
        await stream.end();
      }
    } finally {
      inserter.close();
    }
    const back = await ch.query<Record<string, unknown>>(`SELECT * FROM ${ch.table('listing_snapshots')} FINAL ORDER BY platform, listing_id, snapshot_id`);
    expect(sorted(back.map(listingFromRow))).toEqual(sorted(listings));
  });

  it('on current ClickHouse (chdb)', async () => {
    const { version } = await runOnChdb(['SELECT 1']);
    const db = randomDatabase('chdb');
    const table = qualifiedTable(db, 'listing_snapshots');
    const insert = `INSERT INTO ${table} (${LISTING_COLUMNS.map(quoteIdentifier).join(', ')}) FORMAT JSONEachRow\n${wireLines().toString('utf8')}`;
    const { results } = await runOnChdb([...allStatements(db, capabilitiesForVersion(version)), insert, insert, `SELECT * FROM ${table} FINAL`]);
    expect(sorted(results.at(-1)!.map(listingFromRow))).toEqual(sorted(listings));
  });
});
