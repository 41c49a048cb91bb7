// The one ClickHouse client of shelfwatch: a small interface (query, command, insert, ping, close) over
// @clickhouse/client's HTTP interface, working against Debian's 18.16 and current servers alike.
// In: config.clickhouse + the password (from the environment). Out: ClickHouse. Every failure is thrown as a
// ClickHouseError ({code, type, retryable, dataError}); nothing here retries: callers (sinks, migrate) decide.
//
// Verified against 18.16.1 (test/clickhouse/client.integration.test.ts):
// - @clickhouse/client 1.23.1 sends no settings unless asked: no `enable_http_compression` while compression
//   is off, no `database` parameter for 'default', no progress headers. We keep it that way: settings that
//   18.16 lacks are rejected with code 115 (UNKNOWN_SETTING) on every request. `clickhouse_settings` stays
//   empty here; callers pass per-request settings only when they know the server has them.
// - gzip in both directions works on 18.16 (tested), but is off by default: loopback and LAN don't need it.
//   Turn it on with { compression: true } for a remote cluster.
// - 18.16 error texts lack the `(TYPE)` suffix the library parses, so the library hands back a plain Error
//   for them; errors.ts parses both formats.
// - The library's own logging is turned off: every error reaches the caller, who logs it with context.
// - The connection is made with database 'default', which the library omits from the URL, so
//   `CREATE DATABASE` works before the shelfwatch database exists; all SQL names its tables in full
//   (`db`.`table`, see `table()`).
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config.ts';
import { toClickHouseError } from './errors.ts';
import { qualifiedTable, quoteIdentifier } from './escape.ts';

export interface RequestOptions {
  /** Per-request server settings; only ones every supported server version knows. */
  settings?: Record<string, string | number>;
  signal?: AbortSignal;
  queryId?: string;
}

export interface InsertOptions extends RequestOptions {
  /** Database of the table; default: the configured shelfwatch database. */
  database?: string;
}

export interface ClickHouse {
  /** Server URL without credentials (safe to log). */
  readonly url: string;
  /** The shelfwatch database (config.clickhouse.database). */
  readonly database: string;
  /** `db`.`name` for a table in the shelfwatch database (validated, quoted). */
  table(name: string): string;
  /** Runs a SELECT-like query, returns its rows (JSONEachRow: UInt64/Int64 arrive as strings). */
  query<T = Record<string, unknown>>(sql: string, opts?: RequestOptions): Promise<T[]>;
  /** Runs DDL or another statement without a result. */
  command(sql: string, opts?: RequestOptions): Promise<void>;
  /** Inserts rows as JSONEachRow into `table` (a bare name, in opts.database or the shelfwatch database). */
  insert(table: string, rows: readonly object[], opts?: InsertOptions): Promise<void>;
  /** Resolves when the server answers /ping; throws ClickHouseError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CreateOptions {
  password?: string;
  /** gzip requests and responses. @default false */
  compression?: boolean;
  /** Max sockets to the server. @default 10 */
  maxOpenConnections?: number;
}

/** Strips a trailing ';' and whitespace: the library appends `FORMAT JSONEachRow` to SELECTs. */
function clean(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '');
}

export function createClickHouse(config: ClickHouseConfig, opts: CreateOptions = {}): ClickHouse {
  const url = new URL(config.url);
  const username = decodeURIComponent(url.username) || config.username;
  const password = opts.password ?? decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const safeUrl = url.toString().replace(/\/$/, '');
  const client: ClickHouseClient = createClient({
    url: safeUrl,
    username,
    password,
    database: 'default',
    request_timeout: config.requestTimeoutMs,
    max_open_connections: opts.maxOpenConnections ?? 10,
    compression: { request: opts.compression ?? false, response: opts.compression ?? false },
    clickhouse_settings: {},
    log: { level: ClickHouseLogLevel.OFF },
  });
  const database = config.database;

  const common = (o: RequestOptions | undefined) => ({
    ...(o?.settings ? { clickhouse_settings: o.settings } : {}),
    ...(o?.signal ? { abort_signal: o.signal } : {}),
    ...(o?.queryId ? { query_id: o.queryId } : {}),
  });

  return {
    url: safeUrl,
    database,
    table: (name) => qualifiedTable(database, name),
    async query<T>(sql: string, o?: RequestOptions): Promise<T[]> {
      try {
        const rs = await client.query({ query: clean(sql), format: 'JSONEachRow', ...common(o) });
        return await rs.json<T>();
      } catch (err) {
        throw toClickHouseError(err);
      }
    },
    async command(sql, o) {
      try {
        await client.command({ query: clean(sql), ...common(o) });
      } catch (err) {
        throw toClickHouseError(err);
      }
    },
    async insert(table, rows, o) {
      if (rows.length === 0) return;
      try {
        // The column list is named explicitly: 18.16 fills columns missing from a JSONEachRow row with the
        // type's zero (1970-01-01 for `ingested_at DateTime DEFAULT now()`) unless the INSERT lists its
        // columns, and has no input_format_defaults_for_omitted_fields setting. All rows must have the
        // keys of the first one (rows.ts builds them so).
        const columns = Object.keys(rows[0]!).map(quoteIdentifier) as [string, ...string[]];
        await client.insert({
          table: qualifiedTable(o?.database ?? database, table),
          values: rows as object[],
          format: 'JSONEachRow',
          columns,
          ...common(o),
        });
      } catch (err) {
        throw toClickHouseError(err);
      }
    },
    async ping() {
      const r = await client.ping();
      if (!r.success) throw toClickHouseError(r.error);
    },
    close: () => client.close(),
  };
}
