// The end of `npm run demo`: links to the Grafana boards (a Grafana started from infra/compose.yml) and three
// analyst questions answered by the queries of pipeline/queries.ts. Also, until the detect stage is part of
// the demo's stages, sample alerts for the demo's listings, so the aggregates and boards have alerts to show.
// In: config, a ClickHouse client, a line printer. Out: printed text / alerts on the alerts topic.
import { boardLinks } from '../../dashboards/index.ts';
import type { ClickHouse } from '../../pipeline/clickhouse/client.ts';
import type { Config } from '../../pipeline/config.ts';
import { ACKS_ALL, createKafka } from '../../pipeline/kafka.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { QUERIES } from '../../pipeline/queries.ts';
import { sampleListings } from '../../pipeline/sample.ts';
import { topics } from '../../pipeline/topics.ts';
import { sampleAlerts } from './samples.ts';

/** Publishes sample alerts for the demo's listings unless the demo runs the detect stage; returns how many. */
export async function publishSampleAlerts(config: Config, logger: Logger, opts: { count: number; seed: number; stages: readonly string[] }): Promise<number> {
  if (opts.stages.includes('detect')) return 0;
  const alerts = sampleAlerts(sampleListings(opts.count, opts.seed), opts.seed);
  const kafka = createKafka(config.kafka, logger);
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < alerts.length; i += 1000) {
      await producer.send({ topic: kafka.topic(topics.alerts), acks: ACKS_ALL, messages: alerts.slice(i, i + 1000).map((a) => ({ key: a.alert_id, value: JSON.stringify(a) })) });
    }
  } finally {
    await producer.disconnect();
  }
  return alerts.length;
}

const table = (rows: Record<string, unknown>[], say: (s: string) => void) => {
  if (rows.length === 0) return say('    (no rows)');
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const widths = cols.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  say('    ' + cols.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const r of rows.slice(0, 10)) say('    ' + cols.map((c, i) => cell(r[c]).slice(0, 40).padEnd(widths[i]!)).join('  '));
  if (rows.length > 10) say(`    ... ${rows.length - 10} more`);
};

export async function printAnalystReport(ch: ClickHouse, config: Config, say: (s?: string) => void, grafanaUrl = 'http://127.0.0.1:3000'): Promise<void> {
  const db = config.clickhouse.database;
  say('');
  say(`Grafana boards (docker compose -f infra/compose.yml up -d; npm run dashboards writes them):`);
  for (const l of boardLinks(grafanaUrl)) say(`  ${l.title.padEnd(40)} ${l.url}`);
  const questions: [string, keyof typeof QUERIES][] = [
    ["Which platforms failed most this month in children's products?", 'platformFailureRanking'],
    ['What is the price base of 乐童 LT-2024A (children_toys), last 90 days?', 'priceBase'],
    ['Which sellers in district 440305 (Shenzhen Nanshan) have alerts?', 'sellerAlertsInDistrict'],
  ];
  for (const [q, name] of questions) {
    say('');
    say(`  ${q}   (QUERIES.${name}, docs/clickhouse.md)`);
    table(await ch.query(QUERIES[name](db)), say);
  }
}
