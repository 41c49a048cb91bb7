// Test helper: a ClickHouse server for integration tests.
// In: SHELFWATCH_CLICKHOUSE_URL (use that server), else the configured clickhouse.url when it answers /ping
// (`shelfwatch infra up`, or the integration global setup). `{ own: true }` (or SHELFWATCH_TEST_OWN_CLICKHOUSE=1)
// starts a throwaway server instead, through the same code as `infra up` (infra/local/clickhouse.ts) with a
// temporary state dir and free ports, for tests that must stop or break their server.
// Out: { url, owned, stop() }.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../pipeline/config.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { clickhouseService } from '../../infra/local/clickhouse.ts';
import { startService, stopService } from '../../infra/local/service.ts';

export interface TestClickHouse {
  url: string;
  /** True when this helper started the server (and stop() will end it). */
  owned: boolean;
  stop(): Promise<void>;
}

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

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function startTestClickHouse(opts: { own?: boolean; timeoutSec?: number } = {}): Promise<TestClickHouse> {
  const own = opts.own ?? process.env.SHELFWATCH_TEST_OWN_CLICKHOUSE === '1';
  if (!own) {
    const url = (process.env.SHELFWATCH_CLICKHOUSE_URL ?? loadConfig().clickhouse.url).replace(/\/+$/, '');
    if (await answers(url)) return { url, owned: false, stop: async () => {} };
    throw new Error(`no ClickHouse answers at ${url}: run \`npx shelfwatch infra up\` (the integration global setup does)`);
  }
  const stateDir = mkdtempSync(join(tmpdir(), 'shelfwatch-ch-'));
  const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
  const config = parseConfig({
    clickhouse: { url: `http://127.0.0.1:${http}` },
    infra: { stateDir, clickhouseHttpPort: http, clickhouseTcpPort: tcp, clickhouseInterserverPort: interserver, startTimeoutSec: opts.timeoutSec ?? 60 },
  });
  const svc = clickhouseService(config);
  await startService(svc, config.infra.startTimeoutSec, silentLogger);
  return {
    url: config.clickhouse.url,
    owned: true,
    stop: async () => {
      await stopService(svc, silentLogger, 10_000);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A random database name per test, so tests never share tables. */
export function randomDatabase(prefix = 'test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
