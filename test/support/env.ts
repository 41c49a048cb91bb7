// Per-test isolation: every test gets its own topic suffix and ClickHouse database, so tests never share
// topics or tables and can run in any order.
import { randomBytes } from 'node:crypto';
import { loadConfig, parseConfig, type Config } from '../../pipeline/config.ts';
import { createLogger, type Logger } from '../../pipeline/logger.ts';

export function uniqueName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** The configured services, with a fresh topic suffix and database for this test. */
export function testConfig(overrides: { runtime?: Partial<Config['runtime']> } = {}): Config {
  const base = loadConfig();
  const id = uniqueName();
  return parseConfig({
    ...base,
    kafka: { ...base.kafka, topicSuffix: `.${id}` },
    clickhouse: { ...base.clickhouse, database: `test_${id}` },
    runtime: { ...base.runtime, ...overrides.runtime },
    log: { level: process.env.SHELFWATCH_LOG_LEVEL ?? 'warn', format: 'json' },
  });
}

export function testLogger(config: Config): Logger {
  return createLogger(config.log);
}

/** Polls `probe` until it returns true or the timeout passes; returns whether it became true. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 250): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return probe();
}
