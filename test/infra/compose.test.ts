// infra/compose.yml (for people with Docker) must stay consistent with the local setup that `infra up` runs:
// same host ports as the config defaults, same Kafka version as the pom, Grafana on the read-only user and
// the configured database, every mounted file present. No services needed.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../pipeline/config.ts';
import { CLICKHOUSE_READER_USER, CLICKHOUSE_WRITER_USER } from '../../infra/local/clickhouse.ts';
import { kafkaVersion } from '../../infra/local/kafka.ts';

const INFRA = resolve(import.meta.dirname, '../../infra');
const defaults = configSchema.parse({});

interface Service {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
}
const compose = parse(readFileSync(resolve(INFRA, 'compose.yml'), 'utf8')) as { services: Record<string, Service> };
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`compose.yml has no service ${name}`);
  return s;
};

/** "127.0.0.1:19092:19092" -> { host: 19092, container: 19092 } */
function portMap(spec: string): { host: number; container: number } {
  const parts = spec.split(':');
  return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
}
const hostPortFor = (s: Service, container: number) => s.ports?.map(portMap).find((p) => p.container === container)?.host;

/** Bind mounts: [source on disk (absolute), target in the container]. Named volumes are skipped. */
function bindMounts(s: Service): [string, string][] {
  return (s.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([src]) => src!.startsWith('.') || src!.startsWith('/'))
    .map(([src, target]) => [resolve(INFRA, src!), target!]);
}

describe('infra/compose.yml', () => {
  it('Kafka: image version equals the pom, host port equals infra.kafkaPort and kafka.brokers', () => {
    const kafka = svc('kafka');
    expect(kafka.image).toBe(`apache/kafka:${kafkaVersion()}`);
    expect(hostPortFor(kafka, defaults.infra.kafkaPort)).toBe(defaults.infra.kafkaPort);
    expect(defaults.kafka.brokers).toEqual([`127.0.0.1:${defaults.infra.kafkaPort}`]);
    expect(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS)).toContain(`PLAINTEXT://127.0.0.1:${defaults.infra.kafkaPort}`);
    expect(String(kafka.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE)).toBe('false');
    expect(Number(kafka.environment?.KAFKA_NUM_PARTITIONS)).toBe(defaults.kafka.partitions);
  });

  it('ClickHouse: host ports equal infra.clickhouseHttpPort / clickhouseTcpPort and clickhouse.url', () => {
    const ch = svc('clickhouse');
    expect(hostPortFor(ch, 8123)).toBe(defaults.infra.clickhouseHttpPort);
    expect(hostPortFor(ch, 9000)).toBe(defaults.infra.clickhouseTcpPort);
    expect(new URL(defaults.clickhouse.url).port).toBe(String(defaults.infra.clickhouseHttpPort));
    expect(ch.environment?.CLICKHOUSE_DB).toBe(defaults.clickhouse.database);
  });

  it('ClickHouse: users.sql is mounted and run by the init script', () => {
    const mounts = bindMounts(svc('clickhouse'));
    const usersSql = mounts.find(([src]) => src === resolve(INFRA, 'clickhouse/users.sql'));
    expect(usersSql).toBeDefined();
    const initdb = mounts.find(([, target]) => target === '/docker-entrypoint-initdb.d');
    expect(initdb).toBeDefined();
    const script = readFileSync(resolve(initdb![0], '10-shelfwatch-users.sh'), 'utf8');
    expect(script).toContain(usersSql![1]);
  });

  it('users.sql: the reader may only SELECT on the database, with readonly = 1', () => {
    const sql = readFileSync(resolve(INFRA, 'clickhouse/users.sql'), 'utf8').replace(/--[^\n]*/g, '');
    const db = defaults.clickhouse.database;
    const grants = [...sql.matchAll(/GRANT\s+([\s\S]+?)\s+ON\s+(\S+)\s+TO\s+(\w+)/g)].map((m) => ({ privs: m[1]!.replace(/\s+/g, ' '), on: m[2], to: m[3] }));
    expect(grants.filter((g) => g.to === CLICKHOUSE_READER_USER)).toEqual([{ privs: 'SELECT', on: `${db}.*`, to: CLICKHOUSE_READER_USER }]);
    const writer = grants.filter((g) => g.to === CLICKHOUSE_WRITER_USER);
    expect(writer).toHaveLength(1);
    for (const p of ['INSERT', 'SELECT', 'CREATE', 'ALTER']) expect(writer[0]!.privs).toContain(p);
    expect(sql).toMatch(/readonly\s*=\s*1/);
    expect(sql).not.toMatch(/IDENTIFIED\s+BY\s+'/); // placeholders for hashes only, no plaintext passwords
  });

  it('every bind-mounted file or folder exists on disk', () => {
    for (const name of Object.keys(compose.services)) {
      for (const [src] of bindMounts(svc(name))) expect(existsSync(src), `${name}: ${src}`).toBe(true);
    }
  });

  it('Grafana: ClickHouse plugin, provisioning mounted, datasource on the reader user and the configured database', () => {
    const grafana = svc('grafana');
    expect(String(grafana.environment?.GF_INSTALL_PLUGINS)).toContain('grafana-clickhouse-datasource');
    const mounts = bindMounts(grafana);
    const provisioning = mounts.find(([, t]) => t === '/etc/grafana/provisioning');
    expect(provisioning?.[0]).toBe(resolve(INFRA, 'grafana/provisioning'));

    const ds = parse(readFileSync(resolve(provisioning![0], 'datasources/clickhouse.yaml'), 'utf8')) as {
      datasources: { type: string; jsonData: Record<string, unknown>; secureJsonData?: Record<string, string> }[];
    };
    expect(ds.datasources).toHaveLength(1);
    const [d] = ds.datasources;
    expect(d!.type).toBe('grafana-clickhouse-datasource');
    expect(d!.jsonData).toMatchObject({ host: 'clickhouse', port: 9000, protocol: 'native', username: CLICKHOUSE_READER_USER, defaultDatabase: defaults.clickhouse.database });
    expect(d!.secureJsonData?.password).toBe('$SHELFWATCH_CLICKHOUSE_READER_PASSWORD');

    const dash = parse(readFileSync(resolve(provisioning![0], 'dashboards/shelfwatch.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const dashMount = mounts.find(([, t]) => t === dash.providers[0]!.options.path);
    expect(dashMount?.[0]).toBe(resolve(INFRA, '../dashboards/generated'));
  });
});
