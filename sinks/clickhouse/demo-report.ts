// The end of `npm run demo`: links to the Grafana boards (a Grafana started from infra/compose.yml) and three
// analyst questions answered by the queries of pipeline/queries.ts, asked with the caller's parameters (the demo
// asks about what its market holds). In: config, a ClickHouse client, a line printer. Out: printed text.
import { boardLinks } from '../../dashboards/index.ts';
import type { ClickHouse } from '../../pipeline/clickhouse/client.ts';
import type { Config } from '../../pipeline/config.ts';
import { CHILDREN_CATEGORIES, QUERIES, type DistrictParams, type PriceBaseParams, type RankingParams } from '../../pipeline/queries.ts';

const table = (rows: Record<string, unknown>[], say: (s: string) => void) => {
  if (rows.length === 0) return say('    (no rows)');
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const widths = cols.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  say('    ' + cols.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const r of rows.slice(0, 10)) say('    ' + cols.map((c, i) => cell(r[c]).slice(0, 40).padEnd(widths[i]!)).join('  '));
  if (rows.length > 10) say(`    ... ${rows.length - 10} more`);
};

/** Parameters of the three questions; each defaults to the query's documented example. */
export interface AnalystQuestions {
  ranking?: RankingParams;
  priceBase?: PriceBaseParams;
  district?: DistrictParams;
}

export async function printAnalystReport(ch: ClickHouse, config: Config, say: (s?: string) => void, opts: { grafanaUrl?: string; questions?: AnalystQuestions } = {}): Promise<void> {
  const db = config.clickhouse.database;
  const q = opts.questions ?? {};
  say('');
  say(`Grafana boards (docker compose -f infra/compose.yml up -d; npm run dashboards writes them):`);
  for (const l of boardLinks(opts.grafanaUrl ?? 'http://127.0.0.1:3000')) say(`  ${l.title.padEnd(40)} ${l.url}`);
  const price = q.priceBase ?? { category: 'children_toys', brand: '乐童', model: 'LT-2024A' };
  const region = q.district?.region ?? '440305';
  const questions: [string, keyof typeof QUERIES, string][] = [
    [`Which platforms failed most this month in children's products (${(q.ranking?.categories ?? CHILDREN_CATEGORIES).join(', ')})?`, 'platformFailureRanking', QUERIES.platformFailureRanking(db, q.ranking)],
    [`What is the price base of ${price.brand ?? '(any brand)'} ${price.model ?? ''} (${price.category}), last 90 days?`, 'priceBase', QUERIES.priceBase(db, price)],
    [`Which sellers in district ${region} have alerts?`, 'sellerAlertsInDistrict', QUERIES.sellerAlertsInDistrict(db, { region, ...(q.district?.since ? { since: q.district.since } : {}) })],
  ];
  for (const [question, name, sql] of questions) {
    say('');
    say(`  ${question}   (QUERIES.${name}, docs/clickhouse.md)`);
    table(await ch.query(sql), say);
  }
}
