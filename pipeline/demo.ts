// `npm run demo`: the walking skeleton end to end with what exists today.
// infra up -> migrate -> publish sample listings (+ a few malformed messages) -> run the ingest and ClickHouse
// sink stages until everything published has landed -> print what landed, per platform, and where to look.
// Running it again publishes the same listings: deterministic ids keep the counts the same (no doubles).
import { createClickHouse } from './clickhouse/client.ts';
import { secrets, type Config } from './config.ts';
import { createKafka } from './kafka.ts';
import type { Logger } from './logger.ts';
import { QUERIES } from './queries.ts';
import { publishSample } from './sample.ts';
import { migrateAll } from './setup.ts';
import { buildStages } from './topology.ts';
import { printAnalystReport, publishSampleAlerts } from '../sinks/clickhouse/demo-report.ts';

const MALFORMED = 3;

export async function runDemo(config: Config, logger: Logger, opts: { count: number }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const say = (s = '') => out.write(s + '\n');
  if (config.infra.managed) {
    const { infraUp } = await import('../infra/local/index.ts');
    say('starting Kafka and ClickHouse (first run resolves Kafka from Maven Central) ...');
    await infraUp(config, logger);
  }
  await migrateAll(config, logger);

  const kafka = createKafka(config.kafka, logger);
  const stages = buildStages(config, logger, ['ingest', 'sink_clickhouse'], kafka);
  for (const s of stages) await s.start();
  const [ingest, sink] = stages as [(typeof stages)[0], (typeof stages)[0]];
  const ingestBefore = ingest.metrics.resolved;
  const sinkBefore = sink.metrics.resolved;

  const published = await publishSample(config, logger, { count: opts.count, seed: 1, malformed: MALFORMED });
  say(`published ${published} snapshots (${MALFORMED} of them malformed) to ${kafka.topic('shelfwatch.listings.incoming.v1')}`);
  const alerts = await publishSampleAlerts(config, logger, { count: opts.count, seed: 1, stages: stages.map((s) => s.name) });
  if (alerts) say(`published ${alerts} sample alerts (the demo runs no detect stage) to ${kafka.topic('shelfwatch.alerts.v1')}`);

  // The sink sees every valid listing (via ingest) and every dead letter.
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline && (ingest.metrics.resolved - ingestBefore < published || sink.metrics.resolved - sinkBefore < published + alerts)) {
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const s of stages) await s.stop();
  if (sink.metrics.resolved - sinkBefore < published + alerts) {
    throw Object.assign(new Error(`timed out: the sink handled ${sink.metrics.resolved - sinkBefore} of ${published + alerts} messages; see the logs above`), { expected: true });
  }

  const ch = createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  try {
    const db = config.clickhouse.database;
    const perPlatform = await ch.query<{ platform: string; listings: string; sellers: string; regions: string }>(QUERIES.landedPerPlatform(db));
    const dead = await ch.query<{ reason: string; n: string }>(QUERIES.deadLettersByReason(db));
    say('');
    say(`landed in ClickHouse (${config.clickhouse.url}, database ${config.clickhouse.database}):`);
    say(`  ${'platform'.padEnd(12)} ${'listings'.padStart(9)} ${'sellers'.padStart(8)} ${'regions'.padStart(8)}`);
    let total = 0;
    for (const r of perPlatform) {
      total += Number(r.listings);
      say(`  ${r.platform.padEnd(12)} ${r.listings.padStart(9)} ${r.sellers.padStart(8)} ${r.regions.padStart(8)}`);
    }
    say(`  ${'total'.padEnd(12)} ${String(total).padStart(9)}`);
    say(`  dead letters: ${dead.map((d) => `${d.reason} ${d.n}`).join(', ') || 'none'}`);
    say('');
    say('where to look:');
    say(`  clickhouse-client --port ${config.infra.clickhouseTcpPort} -q "SELECT * FROM ${config.clickhouse.database}.listing_snapshots FINAL LIMIT 5"`);
    say(`  curl '${config.clickhouse.url}/?query=SELECT+count()+FROM+${config.clickhouse.database}.dead_letters+FINAL'`);
    say(`  topics: npx shelfwatch config (kafka.brokers), e.g. ${kafka.topic('shelfwatch.listings.v1')}`);
    say('  stop the services: npx shelfwatch infra down');
    await printAnalystReport(ch, config, say);
  } finally {
    await ch.close();
  }
}
