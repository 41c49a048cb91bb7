// Shared set-up for the ClickHouse integration tests: a server (see test/support/clickhouse-server.ts), a
// client on it, and a random database per test that is dropped afterwards.
import { clickhouseConfigSchema, secrets, type ClickHouseConfig } from '../../pipeline/config.ts';
import { createClickHouse, type ClickHouse } from '../../pipeline/clickhouse/client.ts';
import { quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import { randomDatabase, startTestClickHouse, type TestClickHouse } from '../support/clickhouse-server.ts';

export interface TestContext {
  server: TestClickHouse;
  config: ClickHouseConfig;
  /** A client whose `database` is a fresh random database (not created yet). */
  client(database?: string): ClickHouse;
  /** Drops every database made through client(); closes clients; stops the server if we started it. */
  teardown(): Promise<void>;
}

export async function setupClickHouse(): Promise<TestContext> {
  const server = await startTestClickHouse();
  const clients: ClickHouse[] = [];
  const databases: string[] = [];
  const base = clickhouseConfigSchema.parse({ url: server.url, ...(process.env.SHELFWATCH_CLICKHOUSE_USER ? { username: process.env.SHELFWATCH_CLICKHOUSE_USER } : {}) });
  return {
    server,
    config: base,
    client(database = randomDatabase('sw_test')) {
      databases.push(database);
      const c = createClickHouse({ ...base, database }, { password: server.owned ? '' : secrets.clickhousePassword() });
      clients.push(c);
      return c;
    },
    async teardown() {
      const admin = clients[0];
      if (admin) for (const db of databases) await admin.command(`DROP DATABASE IF EXISTS ${quoteIdentifier(db)}`).catch(() => {});
      for (const c of clients) await c.close();
      await server.stop();
    },
  };
}

/** Strings that break naive SQL or text handling. */
export const HOSTILE: string[] = [
  '',
  "'",
  "''",
  '\\',
  "\\'",
  "'\\",
  "'); DROP TABLE x; --",
  "' OR '1'='1",
  'a\nb\r\nc',
  '\t\v\f\b',
  '\0',
  'before\0after',
  '\x01\x02\x1b[31m\x1f\x7f',
  '\\x41 \\n \\0 \\\\',
  '"double" `back` ${x} {p:String} ? %s',
  '-- comment',
  '/* block */ */',
  '商品名称 测试',
  '😀👍🏽 \u{1F9EA}',
  '\u2028\u2029\u00a0\ufeff',
  'x'.repeat(20_000),
  "\\'; SELECT 1; --\\",
];
