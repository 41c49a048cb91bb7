// Integration tests run against the real Kafka broker and ClickHouse server. If they are not up at the
// configured addresses, start them (managed mode) and stop them again at the end; if they were already up
// (a developer's `infra up`, or .ci/run), leave them as they are.
import { loadConfig } from '../../pipeline/config.ts';
import { createLogger } from '../../pipeline/logger.ts';
import { infraDown, infraStatus, infraUp } from '../../infra/local/index.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', format: 'json' });
  const status = await infraStatus(config);
  if (status.kafka.running && status.clickhouse.running) return async () => {};
  if (!config.infra.managed) {
    throw new Error(
      `integration tests need Kafka at ${config.kafka.brokers.join(',')} and ClickHouse at ${config.clickhouse.url}; ` +
        'they do not answer and infra.managed is false',
    );
  }
  await infraUp(config, logger);
  return async () => {
    await infraDown(config, logger);
  };
}
