// Test helper: a ClickHouse server for integration tests.
// In: SHELFWATCH_CLICKHOUSE_URL (use that server), else the configured clickhouse.url if it answers /ping
// (the server `shelfwatch infra up` or the integration global setup started), else nothing.
// Out: { url, stop() }. With neither, starts a throwaway /usr/sbin/clickhouse-server (Debian's 18.16 here)
// with a minimal generated config in a temp dir on free ports, and removes it on stop().
// SHELFWATCH_TEST_OWN_CLICKHOUSE=1 forces the throwaway server.
// Element names follow 18.16's /etc/clickhouse-server/config.xml (root element <yandex>, still accepted
// by current servers).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../pipeline/config.ts';

export interface TestClickHouse {
  url: string;
  /** True when this helper started the server (and stop() will end it). */
  owned: boolean;
  stop(): Promise<void>;
}

const SERVER_BIN = process.env.SHELFWATCH_CLICKHOUSE_SERVER_BIN ?? '/usr/sbin/clickhouse-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function configXml(dir: string, http: number, tcp: number, interserver: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/logs/server.log</log><errorlog>${dir}/logs/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/data/tmp/</tmp_path>
  <user_files_path>${dir}/data/user_files/</user_files_path>
  <format_schema_path>${dir}/data/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

/** A second user with a password, on servers this helper starts (to test authentication). */
export const TEST_USER = 'shelfwatch_test';
export const TEST_PASSWORD = 'pw-for-tests-only';

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <${TEST_USER}>
      <password>${TEST_PASSWORD}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${TEST_USER}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitReady(url: string, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const err = existsSync(`${dir}/logs/server.err.log`) ? readFileSync(`${dir}/logs/server.err.log`, 'utf8').slice(-2000) : '';
      throw new Error(`clickhouse-server exited with ${child.exitCode}\n${err}`);
    }
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server did not answer on ${url} within ${timeoutMs} ms`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Uses SHELFWATCH_CLICKHOUSE_URL or the configured server when up, else starts a throwaway local server. */
export async function startTestClickHouse(timeoutMs = 30_000): Promise<TestClickHouse> {
  const external = process.env.SHELFWATCH_CLICKHOUSE_URL;
  if (external) return { url: external.replace(/\/+$/, ''), owned: false, stop: async () => {} };
  if (process.env.SHELFWATCH_TEST_OWN_CLICKHOUSE !== '1') {
    const configured = loadConfig().clickhouse.url.replace(/\/+$/, '');
    if (await answers(configured)) return { url: configured, owned: false, stop: async () => {} };
  }

  const dir = mkdtempSync(join(tmpdir(), 'shelfwatch-ch-'));
  for (const d of ['logs', 'data/tmp', 'data/user_files', 'data/format_schemas']) mkdirSync(join(dir, d), { recursive: true });
  // Free ports may be taken between the probe and the bind: retry a few times.
  for (let attempt = 0; ; attempt++) {
    const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(join(dir, 'config.xml'), configXml(dir, http, tcp, interserver));
    writeFileSync(join(dir, 'users.xml'), USERS_XML);
    const child = spawn(SERVER_BIN, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
    const url = `http://127.0.0.1:${http}`;
    try {
      await waitReady(url, child, dir, timeoutMs);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 2) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      url,
      owned: true,
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** A random database name per test, so tests never share tables. */
export function randomDatabase(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
