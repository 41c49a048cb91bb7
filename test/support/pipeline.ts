// Set-up for end-to-end tests on the real services: a fresh topic suffix and database (migrated), a Kafka
// handle and a ClickHouse client; `cleanup` drops the database and deletes the topics. Callers register
// `cleanup` in their own afterEach list.
import { createClickHouse, type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import { secrets, type Config } from '../../pipeline/config.ts';
import { createKafka, deleteTopics, type KafkaHandle } from '../../pipeline/kafka.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { migrateAll } from '../../pipeline/setup.ts';
import { allTopics } from '../../pipeline/topics.ts';
import { testConfig, testLogger } from './env.ts';

export interface PipelineTest {
  config: Config;
  logger: Logger;
  kafka: KafkaHandle;
  ch: ClickHouse;
  cleanup: () => Promise<void>;
}

export async function setupPipelineTest(runtime: Partial<Config['runtime']> = {}): Promise<PipelineTest> {
  const config = testConfig({ runtime });
  const logger = testLogger(config);
  await migrateAll(config, logger);
  const kafka = createKafka(config.kafka, logger);
  const ch = createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  const cleanup = async () => {
    await ch.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(config.clickhouse.database)}`);
    await ch.close();
    await deleteTopics(kafka, allTopics.map((t) => kafka.topic(t)));
  };
  return { config, logger, kafka, ch, cleanup };
}
