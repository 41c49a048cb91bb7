// shelfwatch configuration: one zod schema, parsed once at start-up.
// In: an optional JSON file (--config, or SHELFWATCH_CONFIG, or ./shelfwatch.config.json when present) and
// environment overrides (SHELFWATCH_*). Out: a frozen, fully-defaulted Config. Unknown keys are rejected and
// every error names the field. Secrets (passwords) are read from the environment only, never from the file.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { detectConfigSchema } from '../detectors/index.ts';
import { crawlConfigSchema } from '../crawlers/config.ts';
import { sinkConfigSchema } from '../sinks/clickhouse/config.ts';

const port = z.number().int().min(1).max(65535);

export const kafkaConfigSchema = z.strictObject({
  /** Bootstrap brokers, host:port. @env SHELFWATCH_KAFKA_BROKERS (comma separated) @default ['127.0.0.1:19092'] */
  brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).min(1).default(['127.0.0.1:19092']),
  /** @env SHELFWATCH_KAFKA_CLIENT_ID @default 'shelfwatch' */
  clientId: z.string().min(1).default('shelfwatch'),
  /** Appended to every topic name, to run several isolated pipelines on one cluster (tests use a random one). @env SHELFWATCH_TOPIC_SUFFIX */
  topicSuffix: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  /** Partitions for topics shelfwatch creates. @default 3 */
  partitions: z.number().int().min(1).max(1024).default(3),
  /** Replication factor for topics shelfwatch creates (1 for the local broker). @default 1 */
  replicationFactor: z.number().int().min(1).max(16).default(1),
  /** TLS to the brokers. @env SHELFWATCH_KAFKA_SSL @default false */
  ssl: z.boolean().default(false),
  /** SASL mechanism; the username and password come from SHELFWATCH_KAFKA_USERNAME / SHELFWATCH_KAFKA_PASSWORD. */
  saslMechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
});

export const clickhouseConfigSchema = z.strictObject({
  /** HTTP endpoint. @env SHELFWATCH_CLICKHOUSE_URL @default 'http://127.0.0.1:18123' */
  url: z.url().default('http://127.0.0.1:18123'),
  /** Database for every shelfwatch table. @env SHELFWATCH_CLICKHOUSE_DATABASE @default 'shelfwatch' */
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an identifier: letters, digits, _').default('shelfwatch'),
  /** Writer user; its password comes from SHELFWATCH_CLICKHOUSE_PASSWORD. @env SHELFWATCH_CLICKHOUSE_USER @default 'default' */
  username: z.string().min(1).default('default'),
  /** Per-request timeout in ms. @default 30000 */
  requestTimeoutMs: z.number().int().min(100).default(30_000),
});

export const infraConfigSchema = z.strictObject({
  /** Start and stop the local Kafka and ClickHouse. Set false when pointing at your own clusters. @env SHELFWATCH_INFRA_MANAGED @default true */
  managed: z.boolean().default(true),
  /** Where the local services keep data, logs and pid files. @env SHELFWATCH_STATE_DIR @default '.state' */
  stateDir: z.string().min(1).default('.state'),
  /** Kafka jars cache (resolved with mvn from Maven Central). @env SHELFWATCH_KAFKA_LIBS @default '<stateDir>/kafka-libs' */
  kafkaLibsDir: z.string().min(1).optional(),
  kafkaPort: port.default(19092),
  kafkaControllerPort: port.default(19093),
  clickhouseHttpPort: port.default(18123),
  clickhouseTcpPort: port.default(19000),
  clickhouseInterserverPort: port.default(19009),
  /** Seconds to wait for a service to answer after starting it. @default 120 */
  startTimeoutSec: z.number().int().min(5).default(120),
});

export const runtimeConfigSchema = z.strictObject({
  /** Max messages handled per batch slice. @default 500 */
  maxBatchSize: z.number().int().min(1).max(100_000).default(500),
  /** Slices of one partition handled at once (pipelining: a slice is decoded and handled while earlier ones wait for delivery). @default 4 */
  maxInFlightSlices: z.number().int().min(1).max(64).default(4),
  /** Max bytes of messages in flight per stage before consumption pauses (back-pressure). @default 64 MiB */
  maxInFlightBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
  /** Partitions consumed concurrently per stage instance. @default 3 */
  partitionsConsumedConcurrently: z.number().int().min(1).max(64).default(3),
  /**
   * V8 lets the old generation grow to (1 + this/100) x what was live at the last full collection before it
   * collects again (pipeline/runtime/heap.ts; applied by `shelfwatch run`). A stage holds a large long-lived
   * state (detect: reference views, price base) beside a stream of short-lived messages, and V8's own factor
   * (up to 4x) lets such a heap grow to several times that state. bench:detect (three threads): at 20 the
   * peak RSS varied 468-520 MB from run to run with the garbage each heap held at the end; at 10, 458-500 and
   * mostly ~463, the ratio unchanged. 0 = V8's default. @default 10
   */
  heapGrowingPercent: z.number().int().min(0).max(300).default(10),
  /** Session timeout for consumer groups, ms. @default 30000 */
  sessionTimeoutMs: z.number().int().min(6000).default(30_000),
  /** Port of the /metrics endpoint `shelfwatch run` serves on metricsHost; 0 = off. @env SHELFWATCH_METRICS_PORT @default 9464 */
  metricsPort: z.number().int().min(0).max(65535).default(9464),
  /** @default '127.0.0.1' */
  metricsHost: z.string().min(1).default('127.0.0.1'),
});

export const logConfigSchema = z.strictObject({
  /** @env SHELFWATCH_LOG_LEVEL @default 'info' */
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 'auto' = pretty on a terminal, JSON otherwise. @env SHELFWATCH_LOG_FORMAT @default 'auto' */
  format: z.enum(['auto', 'pretty', 'json']).default('auto'),
});

export const configSchema = z.strictObject({
  kafka: kafkaConfigSchema.prefault({}),
  clickhouse: clickhouseConfigSchema.prefault({}),
  infra: infraConfigSchema.prefault({}),
  runtime: runtimeConfigSchema.prefault({}),
  log: logConfigSchema.prefault({}),
  detect: detectConfigSchema.prefault({}),
  /** Sinks (sinks/): batching of the ClickHouse sink. */
  sink: sinkConfigSchema.prefault({}),
  crawl: crawlConfigSchema.prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type KafkaConfig = Config['kafka'];
export type ClickHouseConfig = Config['clickhouse'];
export type InfraConfig = Config['infra'];
export type RuntimeConfig = Config['runtime'];

/** Secrets: read from the environment on use, never stored in Config (so Config can be logged). */
export const secrets = {
  clickhousePassword: (env = process.env): string => env.SHELFWATCH_CLICKHOUSE_PASSWORD ?? '',
  kafkaUsername: (env = process.env): string | undefined => env.SHELFWATCH_KAFKA_USERNAME,
  kafkaPassword: (env = process.env): string | undefined => env.SHELFWATCH_KAFKA_PASSWORD,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

type Env = Record<string, string | undefined>;

/** Environment variable -> config path, with the parser for its text. */
const ENV_OVERRIDES: [string, string[], (v: string) => unknown][] = [
  ['SHELFWATCH_KAFKA_BROKERS', ['kafka', 'brokers'], (v) => v.split(',').map((s) => s.trim()).filter(Boolean)],
  ['SHELFWATCH_KAFKA_CLIENT_ID', ['kafka', 'clientId'], String],
  ['SHELFWATCH_TOPIC_SUFFIX', ['kafka', 'topicSuffix'], String],
  ['SHELFWATCH_KAFKA_SSL', ['kafka', 'ssl'], parseBool],
  ['SHELFWATCH_CLICKHOUSE_URL', ['clickhouse', 'url'], String],
  ['SHELFWATCH_CLICKHOUSE_DATABASE', ['clickhouse', 'database'], String],
  ['SHELFWATCH_CLICKHOUSE_USER', ['clickhouse', 'username'], String],
  ['SHELFWATCH_INFRA_MANAGED', ['infra', 'managed'], parseBool],
  ['SHELFWATCH_STATE_DIR', ['infra', 'stateDir'], String],
  ['SHELFWATCH_KAFKA_LIBS', ['infra', 'kafkaLibsDir'], String],
  ['SHELFWATCH_METRICS_PORT', ['runtime', 'metricsPort'], Number],
  ['SHELFWATCH_LOG_LEVEL', ['log', 'level'], String],
  ['SHELFWATCH_LOG_FORMAT', ['log', 'format'], String],
];

function parseBool(v: string): unknown {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return v; // let zod report it, naming the field
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** Parses a raw object (file contents with env overrides applied). Throws ConfigError naming each bad field. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      message: i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}: check the spelling` : i.message,
    }));
    throw new ConfigError(
      `invalid ${source}:\n` + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
      issues,
    );
  }
  return Object.freeze(result.data);
}

export interface LoadOptions {
  file?: string;
  env?: Env;
  cwd?: string;
}

/** Loads the config file (if any), applies SHELFWATCH_* overrides, validates. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env.SHELFWATCH_CONFIG;
  const defaultFile = resolve(cwd, 'shelfwatch.config.json');
  const file = explicit ? resolve(cwd, explicit) : existsSync(defaultFile) ? defaultFile : undefined;

  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`config file ${file} must hold a JSON object`);
    }
  }
  for (const [name, path, parse] of ENV_OVERRIDES) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, path, parse(v));
  }
  const config = parseConfig(raw, file ? `config (${file}${envNote(env)})` : `config${envNote(env)}`);
  return config;
}

function envNote(env: Env): string {
  const used = ENV_OVERRIDES.map(([n]) => n).filter((n) => env[n] !== undefined && env[n] !== '');
  return used.length ? ` with ${used.join(', ')}` : '';
}

/** Resolved filesystem locations of the local services' state. */
export function statePaths(infra: InfraConfig, cwd = process.cwd()) {
  const root = resolve(cwd, infra.stateDir);
  return {
    root,
    kafkaLibs: resolve(cwd, infra.kafkaLibsDir ?? `${infra.stateDir}/kafka-libs`),
    kafkaData: resolve(root, 'kafka/data'),
    kafkaLogs: resolve(root, 'kafka/logs'),
    clickhouseData: resolve(root, 'clickhouse/data'),
    clickhouseLogs: resolve(root, 'clickhouse/logs'),
    clickhouseConfig: resolve(root, 'clickhouse/config'),
    pids: resolve(root, 'pids'),
  };
}
