// The generic service life cycle (infra/local/service.ts) with fake services made of `sh`: no Kafka or
// ClickHouse needed. Covers the failure paths that are hard to provoke with the real servers.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../pipeline/logger.ts';
import { processArgv, sleep } from '../../infra/local/procs.ts';
import { checkPorts, managedStatus, startService, stopService, type LocalService } from '../../infra/local/service.ts';
import { InfraError } from '../../infra/local/types.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shelfwatch-svc-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeService(script: string, opts: { probeOk?: () => boolean; ports?: LocalService['ports'] } = {}): LocalService {
  const marker = `shelfwatch-fake-${Math.random().toString(36).slice(2)}`;
  return {
    name: 'kafka',
    address: '127.0.0.1:1',
    pidFile: join(dir, 'pids', 'fake.pid'),
    markers: [marker],
    logFile: join(dir, 'fake.log'),
    logFiles: [join(dir, 'fake.log')],
    ports: opts.ports ?? [],
    preflight: async () => undefined,
    prepare: async () => undefined,
    // `; true` keeps sh as the parent (no exec of the last command), so the marker stays in its argv.
    command: () => ({ cmd: 'sh', args: ['-c', `${script}; true`, marker], cwd: dir, env: process.env }),
    probe: async () => ({ ok: opts.probeOk?.() ?? false, detail: 'fake probe' }),
  };
}

describe('startService', () => {
  it('a service that dies on start gives start_failed with the tail of its log', async () => {
    const svc = fakeService('echo "line one"; echo "FATAL: cannot bind" >&2; exit 3');
    const err = await startService(svc, 10, silentLogger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).code).toBe('start_failed');
    expect((err as InfraError).message).toContain(`last 20 lines of ${svc.logFile}`);
    expect((err as InfraError).message).toContain('FATAL: cannot bind');
    expect(existsSync(svc.pidFile)).toBe(false);
  });

  it('a service that never answers gives start_timeout and is stopped', async () => {
    const svc = fakeService('sleep 60');
    const err = await startService(svc, 1, silentLogger).catch((e: unknown) => e);
    expect((err as InfraError).code).toBe('start_timeout');
    expect((err as InfraError).message).toContain('infra.startTimeoutSec');
    expect(existsSync(svc.pidFile)).toBe(false);
    expect((await managedStatus(svc)).running).toBe(false);
  });

  it('starts, reports, notices it already runs, and stops it', async () => {
    const svc = fakeService('sleep 60', { probeOk: () => true });
    const up = await startService(svc, 10, silentLogger);
    expect(up).toMatchObject({ running: true, managed: true });
    const again = await startService(svc, 10, silentLogger);
    expect(again.pid).toBe(up.pid);
    expect(again.detail).toMatch(/already running/);
    expect((await managedStatus(svc)).pid).toBe(up.pid);
    const down = await stopService(svc, silentLogger, 5000);
    expect(down.detail).toMatch(/stopped/);
    expect(processArgv(up.pid!)).toBeUndefined();
    expect(existsSync(svc.pidFile)).toBe(false);
  });

  it('a process that ignores SIGTERM is killed after the grace period', async () => {
    const svc = fakeService("trap '' TERM; sleep 60", { probeOk: () => true });
    const up = await startService(svc, 10, silentLogger);
    await sleep(200); // let sh install the trap
    const down = await stopService(svc, silentLogger, 1000);
    expect(down.detail).toBe('stopped (killed)');
    expect(processArgv(up.pid!)).toBeUndefined();
  });
});

describe('stopService with a stale pid file', () => {
  it('does not signal a process that is not ours, and removes the pid file', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const svc = fakeService('sleep 60');
      mkdirSync(join(dir, 'pids'), { recursive: true });
      writeFileSync(svc.pidFile, `${stranger.pid}\n`);
      expect((await managedStatus(svc)).detail).toMatch(/stale pid file/);
      const down = await stopService(svc, silentLogger, 1000);
      expect(down.detail).toMatch(/stale pid file removed/);
      expect(processArgv(stranger.pid!)).toBeDefined(); // still alive
      expect(existsSync(svc.pidFile)).toBe(false);
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

describe('checkPorts', () => {
  it('names the port, its holder and the config field', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const svc = fakeService('true', { ports: [{ port, field: 'infra.clickhouseTcpPort' }] });
      const err = await checkPorts(svc).catch((e: unknown) => e);
      expect((err as InfraError).code).toBe('port_in_use');
      expect((err as InfraError).message).toMatch(new RegExp(`port ${port} .*pid ${process.pid}.*infra\\.clickhouseTcpPort`, 's'));
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
