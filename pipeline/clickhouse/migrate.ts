// Applies the ClickHouse migrations. In: a client, the database name, a logger. Out: the ids applied by
// this call (empty when up to date). Creates the database and the schema_migrations table if missing; each
// migration's statements are idempotent and its id is recorded after they all succeed, so running migrate
// twice, or two processes at once, is safe. Works on 18.16 and current servers (see capabilities.ts).
import type { Logger } from '../logger.ts';
import { detectCapabilities, type Capabilities } from './capabilities.ts';
import type { ClickHouse } from './client.ts';
import { qualifiedTable, quoteIdentifier } from './escape.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';

export const MIGRATIONS_TABLE = 'schema_migrations';

/** Statements that create the database and the migrations table (before any migration). */
export function bootstrapStatements(database: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}`,
    `CREATE TABLE IF NOT EXISTS ${qualifiedTable(database, MIGRATIONS_TABLE)} (
  id String,
  applied_at DateTime('UTC') DEFAULT now(),
  server_version String
) ENGINE = ReplacingMergeTree(applied_at)
ORDER BY id`,
  ];
}

/** Every statement of every migration for `caps`, bootstrap first: what migrate runs on an empty server. */
export function allStatements(database: string, caps: Capabilities, migrations: readonly Migration[] = allMigrations): string[] {
  const ctx = { table: (name: string) => qualifiedTable(database, name) };
  return [...bootstrapStatements(database), ...migrations.flatMap((m) => m.up(caps, ctx))];
}

export async function appliedMigrations(client: ClickHouse, database: string): Promise<Set<string>> {
  const rows = await client.query<{ id: string }>(`SELECT id FROM ${qualifiedTable(database, MIGRATIONS_TABLE)} FINAL`);
  return new Set(rows.map((r) => r.id));
}

export async function migrate(client: ClickHouse, database: string, logger: Logger, migrations: readonly Migration[] = allMigrations): Promise<string[]> {
  const log = logger.child({ component: 'clickhouse', name: 'migrate' });
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length || ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) {
    throw new Error(`migration ids must be unique and in ascending order: ${ids.join(', ')}`);
  }
  const caps = await detectCapabilities(client);
  log.debug({ version: caps.version, database }, 'clickhouse server');
  for (const sql of bootstrapStatements(database)) await client.command(sql);
  const applied = await appliedMigrations(client, database);
  const ctx = { table: (name: string) => qualifiedTable(database, name) };
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    for (const sql of m.up(caps, ctx)) await client.command(sql);
    await client.insert(MIGRATIONS_TABLE, [{ id: m.id, server_version: caps.version }], { database });
    log.info({ migration: m.id, version: caps.version }, 'applied migration');
    done.push(m.id);
  }
  return done;
}
