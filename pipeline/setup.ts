// `shelfwatch migrate`: creates the catalogue's Kafka topics and applies pending ClickHouse migrations.
// Both steps are idempotent; run it after every upgrade.
import { createClickHouse } from './clickhouse/client.ts';
import { migrate } from './clickhouse/migrate.ts';
import { secrets, type Config } from './config.ts';
import { createKafka, ensureTopics } from './kafka.ts';
import type { Logger } from './logger.ts';
import { allTopics } from './topics.ts';

export async function migrateAll(config: Config, logger: Logger): Promise<{ topicsCreated: string[]; migrationsApplied: string[] }> {
  const kafka = createKafka(config.kafka, logger);
  const topicsCreated = await ensureTopics(kafka, allTopics);
  logger.info({ created: topicsCreated.length, total: allTopics.length }, 'kafka topics ready');
  const ch = createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  try {
    const migrationsApplied = await migrate(ch, config.clickhouse.database, logger);
    logger.info({ applied: migrationsApplied.length, database: config.clickhouse.database }, 'clickhouse migrations applied');
    return { topicsCreated, migrationsApplied };
  } finally {
    await ch.close();
  }
}
