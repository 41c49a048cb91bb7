// Real services: starts its own Kafka and ClickHouse in a temporary state dir on free ports (so a developer's
// instance on the default ports is untouched), exercises them, and stops them. Kafka jars are shared with the
// dev instance through infra.kafkaLibsDir (.state/kafka-libs), so they are resolved at most once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, statePaths, type Config } from '../../pipeline/config.ts';
import { createLogger } from '../../pipeline/logger.ts';
import { InfraError, infraDown, infraStatus, infraUp } from '../../infra/local/index.ts';
import { processArgv } from '../../infra/local/procs.ts';

const LIBS = resolve(import.meta.dirname, '../../.state/kafka-libs');
const READER_PASSWORD = `reader-${Math.random().toString(36).slice(2)}`;

async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    servers.push(srv);
    ports.push((srv.address() as { port: number }).port);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function makeConfig(stateDir: string, p: number[], extra: Record<string, unknown> = {}): Config {
  const [kafkaPort, kafkaControllerPort, clickhouseHttpPort, clickhouseTcpPort, clickhouseInterserverPort] = p as [number, number, number, number, number];
  return parseConfig({
    infra: { stateDir, kafkaLibsDir: LIBS, kafkaPort, kafkaControllerPort, clickhouseHttpPort, clickhouseTcpPort, clickhouseInterserverPort, startTimeoutSec: 90, ...extra },
    kafka: { brokers: [`127.0.0.1:${kafkaPort}`] },
    clickhouse: { url: `http://127.0.0.1:${clickhouseHttpPort}` },
  });
}

/** Captures log lines so the test can check no password was logged. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json' }, stream), lines };
}

async function query(config: Config, sql: string, user = 'default', password = ''): Promise<{ status: number; body: string }> {
  const res = await fetch(`${config.clickhouse.url}/`, {
    method: 'POST',
    body: sql,
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
  });
  return { status: res.status, body: await res.text() };
}

describe('local infra (real Kafka and ClickHouse)', () => {
  let stateDir: string;
  let config: Config;
  const { logger, lines } = capturingLogger();
  let pids: number[] = [];
  let savedReaderPassword: string | undefined;

  beforeAll(async () => {
    savedReaderPassword = process.env.SHELFWATCH_CLICKHOUSE_READER_PASSWORD;
    process.env.SHELFWATCH_CLICKHOUSE_READER_PASSWORD = READER_PASSWORD;
    stateDir = mkdtempSync(join(tmpdir(), 'shelfwatch-infra-'));
    config = makeConfig(stateDir, await freePorts(5));
  });

  afterAll(async () => {
    await infraDown(config, logger).catch(() => undefined);
    if (savedReaderPassword === undefined) delete process.env.SHELFWATCH_CLICKHOUSE_READER_PASSWORD;
    else process.env.SHELFWATCH_CLICKHOUSE_READER_PASSWORD = savedReaderPassword;
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('infraUp starts both services and infraStatus reports them running', async () => {
    const up = await infraUp(config, logger);
    expect(up.kafka).toMatchObject({ name: 'kafka', managed: true, running: true, address: `127.0.0.1:${config.infra.kafkaPort}` });
    expect(up.clickhouse).toMatchObject({ name: 'clickhouse', managed: true, running: true, address: config.clickhouse.url });
    pids = [up.kafka.pid!, up.clickhouse.pid!];
    expect(pids.every((p) => Number.isInteger(p))).toBe(true);

    const status = await infraStatus(config);
    expect(status.kafka).toMatchObject({ running: true, pid: up.kafka.pid });
    expect(status.clickhouse).toMatchObject({ running: true, pid: up.clickhouse.pid });
    expect(status.kafka.logFile).toBe(join(statePaths(config.infra).kafkaLogs, 'server.log'));
  });

  it('infraUp a second time notices they run and starts nothing', async () => {
    const t0 = Date.now();
    const again = await infraUp(config, logger);
    expect(again.kafka.pid).toBe(pids[0]);
    expect(again.clickhouse.pid).toBe(pids[1]);
    expect(again.kafka.detail).toMatch(/already running/);
    expect(again.clickhouse.detail).toMatch(/already running/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('kafkajs 2.2.4 works with the broker: topic, idempotent produce, consumer group, committed offsets', async () => {
    const kafka = new Kafka({ clientId: 'infra-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const suffix = Math.random().toString(36).slice(2);
    const topic = `infra-test-${suffix}`;
    const groupId = `infra-test-group-${suffix}`;
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`consumed only ${got.length} of ${sent.length}`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic: t, partition, message }) => {
          got.push(String(message.value));
          await consumer.commitOffsets([{ topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          if (got.length === sent.length) {
            clearTimeout(timer);
            done();
          }
        },
      });
    });
    await consumer.disconnect();
    expect(got.sort()).toEqual(sent.map((m) => m.value).sort());

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed!.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(total).toBe(sent.length);
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('auto.create.topics.enable is false: producing to an unknown topic fails', async () => {
    const kafka = new Kafka({ clientId: 'infra-test', brokers: config.kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await expect(producer.send({ topic: `nope-${Date.now()}`, messages: [{ value: 'x' }] })).rejects.toThrow();
    await producer.disconnect();
  });

  it('ClickHouse answers SELECT 1 over HTTP', async () => {
    expect(await query(config, 'SELECT 1')).toEqual({ status: 200, body: '1\n' });
  });

  it('the reader user can read but cannot INSERT, CREATE or change a setting', async () => {
    const db = config.clickhouse.database;
    expect((await query(config, `CREATE DATABASE IF NOT EXISTS ${db}`)).status).toBe(200);
    expect((await query(config, `CREATE TABLE IF NOT EXISTS ${db}.t (x UInt8) ENGINE = MergeTree ORDER BY x`)).status).toBe(200);
    expect((await query(config, `INSERT INTO ${db}.t VALUES (1)`)).status).toBe(200);

    const reader = (sql: string) => query(config, sql, 'shelfwatch_reader', READER_PASSWORD);
    expect(await reader(`SELECT count() FROM ${db}.t`)).toEqual({ status: 200, body: '1\n' });
    for (const sql of [`INSERT INTO ${db}.t VALUES (2)`, `CREATE TABLE ${db}.t2 (x UInt8) ENGINE = Memory`, 'SET max_threads = 1', `DROP TABLE ${db}.t`]) {
      const r = await reader(sql);
      expect(r.status, sql).not.toBe(200);
      expect(r.body, sql).toMatch(/readonly/i);
    }
    const withSetting = await fetch(`${config.clickhouse.url}/?max_threads=1`, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { authorization: `Basic ${Buffer.from(`shelfwatch_reader:${READER_PASSWORD}`).toString('base64')}` },
    });
    expect(withSetting.status).not.toBe(200);
    // Other databases are out of reach, and the password is checked.
    expect((await reader('SELECT count() FROM default.nonexistent')).body).toMatch(/Access denied|doesn't exist/);
    expect((await query(config, 'SELECT 1', 'shelfwatch_reader', 'wrong')).status).not.toBe(200);
    // The writer can write to the shelfwatch database.
    expect((await query(config, `INSERT INTO ${db}.t VALUES (3)`, 'shelfwatch_writer', '')).status).toBe(200);
  });

  it('no password is written in plain text to users.xml or the logs', () => {
    const users = readFileSync(join(statePaths(config.infra).clickhouseConfig, 'users.xml'), 'utf8');
    expect(users).not.toContain(READER_PASSWORD);
    expect(users).toMatch(/<password_sha256_hex>[0-9a-f]{64}<\/password_sha256_hex>/);
    expect(lines.join('')).not.toContain(READER_PASSWORD);
  });

  it('with infra.managed=false, status probes the configured addresses and up starts nothing', async () => {
    const external = parseConfig({ ...structuredClone({ kafka: config.kafka, clickhouse: config.clickhouse }), infra: { managed: false, stateDir: join(stateDir, 'unused') } });
    const s = await infraUp(external, logger);
    expect(s.kafka).toMatchObject({ managed: false, running: true, address: config.kafka.brokers[0] });
    expect(s.clickhouse).toMatchObject({ managed: false, running: true, address: config.clickhouse.url });
    const [closed] = await freePorts(1);
    const nothing = parseConfig({ infra: { managed: false }, kafka: { brokers: [`127.0.0.1:${closed}`] }, clickhouse: { url: `http://127.0.0.1:${closed}` } });
    const down = await infraStatus(nothing);
    expect(down.kafka.running).toBe(false);
    expect(down.clickhouse.running).toBe(false);
  });

  it('a port taken by another process gives a clear error naming the port and the config field', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const otherDir = mkdtempSync(join(tmpdir(), 'shelfwatch-infra-taken-'));
    try {
      const [, ...rest] = await freePorts(5);
      const c = makeConfig(otherDir, [taken, ...rest.slice(0, 4)]);
      const err = await infraUp(c, logger).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InfraError);
      expect((err as InfraError).code).toBe('port_in_use');
      expect((err as InfraError).message).toContain(`port ${taken}`);
      expect((err as InfraError).message).toContain('infra.kafkaPort');
      expect((err as InfraError).message).toContain(`pid ${process.pid}`);
      // nothing was started for that state dir
      const s = await infraStatus(c);
      expect(s.kafka.running || s.clickhouse.running).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('infraDown stops both, removes the pid files, and no process of ours remains', async () => {
    await infraDown(config, logger);
    for (const pid of pids) expect(processArgv(pid), `pid ${pid}`).toBeUndefined();
    const s = await infraStatus(config);
    expect(s.kafka).toMatchObject({ running: false, detail: 'not running' });
    expect(s.clickhouse).toMatchObject({ running: false, detail: 'not running' });
    // and down again is fine
    const again = await infraDown(config, logger);
    expect(again.kafka.detail).toBe('was not running');
  });

  it('a second start reuses the formatted storage and the data', async () => {
    const up = await infraUp(config, logger);
    expect(up.kafka.running && up.clickhouse.running).toBe(true);
    expect((await query(config, `SELECT count() FROM ${config.clickhouse.database}.t`)).body).toBe('2\n');
    await infraDown(config, logger);
    expect(processArgv(up.kafka.pid!)).toBeUndefined();
    expect(processArgv(up.clickhouse.pid!)).toBeUndefined();
  });
});
