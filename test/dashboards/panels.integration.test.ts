// Every panel's SQL, with the plugin's macros and the board variables expanded, runs on the local ClickHouse
// (18.16) over demo rows and returns rows with exactly the columns the panel expects; the same on current
// ClickHouse through chdb. Variables: 'All', and one concrete value each (the filters must parse and filter).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL, boardVariables, boardContext } from '../../dashboards/lib/panels.ts';
import { expandMacros, type ExpandOptions } from '../../dashboards/lib/macros.ts';
import { capabilitiesForVersion } from '../../pipeline/clickhouse/capabilities.ts';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { allStatements, migrate } from '../../pipeline/clickhouse/migrate.ts';
import { alertToRow, deadLetterToRow, listingToRow, livestreamToRow, type Row } from '../../pipeline/clickhouse/rows.ts';
import { makeDeadLetter } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { sampleAlerts, sampleLivestreamAlerts, sampleLivestreams } from '../../sinks/clickhouse/samples.ts';
import { setupClickHouse, type TestContext } from '../clickhouse/helpers.ts';
import { insertStatement, runOnChdb } from '../support/chdb.ts';
import { panelCases } from '../support/panels.ts';
import { randomDatabase } from '../support/clickhouse-server.ts';

const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00.000Z');
const listings = sampleListings(200, 9, today);
const streams = sampleLivestreams(5, 6, 9, today.toISOString());
const alerts = [...sampleAlerts(listings, 9, 0.4), ...sampleLivestreamAlerts(streams)];
const deadLetters = ['invalid_json', 'schema_mismatch'].map((reason, i) =>
  makeDeadLetter({ stage: 'ingest', reason, error: 'x', topic: 't', partition: 0, offset: String(i), key: null, timestamp: today, value: 'v' }),
);
const tableRows: [string, Row[]][] = [
  ['listing_snapshots', listings.map(listingToRow)],
  ['livestream_snapshots', streams.map(livestreamToRow)],
  ['alerts', alerts.map(alertToRow)],
  ['dead_letters', deadLetters.map(deadLetterToRow)],
];

const range = { from: new Date(today.getTime() - 86_400_000), to: new Date(Date.now() + 86_400_000), intervalSeconds: 600 };
const allVars: ExpandOptions['vars'] = { platform: ALL, category: ALL, region: ALL };
const someVars: ExpandOptions['vars'] = { platform: ['bigmall', 'livebuy'], category: ['children_toys'], region: ['440305'] };

let t: TestContext;
let db: string;
let ch: ReturnType<TestContext['client']>;
beforeAll(async () => {
  t = await setupClickHouse();
  ch = t.client();
  db = ch.database;
  await migrate(ch, db, silentLogger);
  for (const [table, rows] of tableRows) await ch.insert(table, rows);
});
afterAll(async () => t?.teardown());

describe('panel SQL on the local ClickHouse (18.16)', () => {
  const cases = panelCases('placeholder');
  it.each(cases.map((c, i) => [`${c.board} / ${c.title}`, i] as const))('%s returns rows with the expected columns', async (_name, i) => {
    const c = panelCases(db)[i]!;
    const rows = await ch.query(expandMacros(c.sql, { ...range, vars: allVars }));
    expect(rows.length, c.sql).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!)).toEqual([...c.columns]);
    // A concrete value per variable: the filter parses and runs (rows may be fewer).
    const some = await ch.query(expandMacros(c.sql, { ...range, vars: someVars }));
    expect(some.length).toBeLessThanOrEqual(Math.max(rows.length, 100));
  });

  it('the variable queries return the values the samples hold', async () => {
    for (const v of boardVariables(boardContext(db))) {
      const rows = await ch.query<Record<string, string>>(v.sql);
      expect(rows.length, v.name).toBeGreaterThan(0);
    }
    const platforms = await ch.query<{ platform: string }>(boardVariables(boardContext(db))[0]!.sql);
    expect(platforms.map((r) => r.platform)).toEqual([...new Set(listings.map((l) => l.platform))].sort());
  });

  it('the platform filter filters', async () => {
    const c = panelCases(db).find((p) => p.title === 'Listing snapshots')!;
    const all = await ch.query<{ snapshots: string }>(expandMacros(c.sql, { ...range, vars: allVars }));
    const one = await ch.query<{ snapshots: string }>(expandMacros(c.sql, { ...range, vars: { ...allVars, platform: ['bigmall'] } }));
    expect(Number(all[0]!.snapshots)).toBe(listings.length);
    expect(Number(one[0]!.snapshots)).toBe(listings.filter((l) => l.platform === 'bigmall').length);
  });
});

describe('panel SQL on current ClickHouse (chdb)', () => {
  it('every panel runs and returns rows with the expected columns', async () => {
    const { version } = await runOnChdb(['SELECT 1']);
    const chdb = randomDatabase('chdb');
    const cases = panelCases(chdb);
    const setup = [...allStatements(chdb, capabilitiesForVersion(version)), ...tableRows.map(([table, rows]) => insertStatement(qualifiedTable(chdb, table), rows))];
    const queries = cases.flatMap((c) => [expandMacros(c.sql, { ...range, vars: allVars }), expandMacros(c.sql, { ...range, vars: someVars })]);
    const { results } = await runOnChdb([...setup, ...queries, ...boardVariables(boardContext(chdb)).map((v) => v.sql)]);
    const panelResults = results.slice(setup.length, setup.length + queries.length);
    cases.forEach((c, i) => {
      const rows = panelResults[2 * i]!;
      expect(rows.length, `${c.board} / ${c.title}`).toBeGreaterThan(0);
      expect(Object.keys(rows[0]!), `${c.board} / ${c.title}`).toEqual([...c.columns]);
    });
    for (const r of results.slice(setup.length + queries.length)) expect(r.length).toBeGreaterThan(0);
  }, 180_000);
});
