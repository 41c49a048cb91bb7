// The generic life cycle of one local service (Kafka or ClickHouse), given its typed definition:
// status (pid file + /proc check + probe), start (ports, prepare, spawn detached, wait until it answers),
// stop (SIGTERM -> SIGKILL, only if the pid is ours). The services themselves are in kafka.ts and clickhouse.ts.
import type { Logger } from '../../pipeline/logger.ts';
import { describePortOwner, isPortFree } from './ports.ts';
import { describeLogs, isOurProcess, readPidFile, removeFile, sleep, spawnDetached, stopProcess, writePidFile } from './procs.ts';
import { InfraError, type ServiceStatus } from './types.ts';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface LocalService {
  name: 'kafka' | 'clickhouse';
  /** What clients use: host:port or URL. */
  address: string;
  pidFile: string;
  /** Arguments that identify our process in /proc/<pid>/cmdline (absolute paths from our state dir). */
  markers: string[];
  /** The main log file (reported in status). */
  logFile: string;
  /** Files whose tails explain a failed start (stdout first). */
  logFiles: string[];
  /** Ports it binds, with the config field that sets each. */
  ports: { port: number; field: string }[];
  /** Checks the tools it needs are installed (may install them); throws InfraError('tool_missing'). */
  preflight(logger: Logger): Promise<void>;
  /** Writes config files, resolves jars, formats storage. Runs only when we are about to start it. */
  prepare(logger: Logger): Promise<void>;
  command(): { cmd: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv };
  /** One quick attempt to talk to it. */
  probe(timeoutMs: number): Promise<ProbeResult>;
}

/** Our live pid for this service, or undefined (a stale pid file is left for the caller to clean). */
export function ourPid(svc: LocalService): number | undefined {
  const pid = readPidFile(svc.pidFile);
  return pid !== undefined && isOurProcess(pid, svc.markers) ? pid : undefined;
}

export async function managedStatus(svc: LocalService): Promise<ServiceStatus> {
  const base = { name: svc.name, managed: true, address: svc.address, logFile: svc.logFile };
  const filePid = readPidFile(svc.pidFile);
  const pid = ourPid(svc);
  if (pid === undefined) {
    let detail = filePid !== undefined ? `not running (stale pid file ${svc.pidFile}: pid ${filePid} is not ours)` : 'not running';
    const main = svc.ports[0];
    if (main && !(await isPortFree(main.port))) {
      const owner = describePortOwner(main.port);
      detail += `; port ${main.port} (${main.field}) is held by another process${owner ? `: ${owner}` : ''}`;
    }
    return { ...base, running: false, detail };
  }
  const probe = await svc.probe(2000);
  return { ...base, running: probe.ok, pid, detail: probe.ok ? probe.detail : `process ${pid} alive but not answering: ${probe.detail}` };
}

/** Throws InfraError('port_in_use') naming the port, its holder and the config field, when a port is taken. */
export async function checkPorts(svc: LocalService): Promise<void> {
  for (const { port, field } of svc.ports) {
    if (await isPortFree(port)) continue;
    const owner = describePortOwner(port);
    throw new InfraError(
      'port_in_use',
      `${svc.name}: port ${port} on 127.0.0.1 is already in use${owner ? ` by ${owner}` : ''}, and it is not a ${svc.name} started from this state dir. ` +
        `Stop that process, or choose another port with the config field ${field} (then update the client address to match).`,
    );
  }
}

async function waitUntilAnswering(svc: LocalService, pid: number, timeoutSec: number, exited?: () => boolean): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutSec * 1000;
  let last: ProbeResult = { ok: false, detail: 'no answer yet' };
  for (;;) {
    if ((exited && exited()) || !isOurProcess(pid, svc.markers)) {
      throw new InfraError(
        'start_failed',
        `${svc.name} (pid ${pid}) exited during start-up; see ${svc.logFile}.\n${describeLogs(svc.logFiles)}`,
        svc.logFile,
      );
    }
    last = await svc.probe(Math.min(3000, Math.max(500, deadline - Date.now())));
    if (last.ok) return last;
    if (Date.now() > deadline) {
      throw new InfraError(
        'start_timeout',
        `${svc.name} (pid ${pid}) did not answer on ${svc.address} within ${timeoutSec} s (infra.startTimeoutSec); last probe: ${last.detail}. ` +
          `It was stopped. See ${svc.logFile}.\n${describeLogs(svc.logFiles)}`,
        svc.logFile,
      );
    }
    await sleep(500);
  }
}

/** Starts the service unless our process already runs; returns once it answers. Ports must be checked first. */
export async function startService(svc: LocalService, timeoutSec: number, logger: Logger): Promise<ServiceStatus> {
  const log = logger.child({ component: 'infra', name: svc.name });
  const existing = ourPid(svc);
  if (existing !== undefined) {
    log.info({ servicePid: existing }, `${svc.name} already running`);
    const probe = await waitUntilAnswering(svc, existing, timeoutSec);
    return { name: svc.name, managed: true, running: true, pid: existing, address: svc.address, logFile: svc.logFile, detail: `already running; ${probe.detail}` };
  }
  if (readPidFile(svc.pidFile) !== undefined) {
    log.warn({ pidFile: svc.pidFile }, 'removing stale pid file (its pid is not our process)');
    removeFile(svc.pidFile);
  }
  await svc.prepare(log);
  const { cmd, args, cwd, env } = svc.command();
  const outFile = svc.logFiles[0]!;
  const child = spawnDetached(cmd, args, { cwd, env, outFile });
  writePidFile(svc.pidFile, child.pid);
  log.info({ servicePid: child.pid, address: svc.address, logFile: svc.logFile }, `${svc.name} starting`);
  const started = Date.now();
  try {
    const probe = await waitUntilAnswering(svc, child.pid, timeoutSec, child.hasExited);
    log.info({ servicePid: child.pid, ms: Date.now() - started }, `${svc.name} ready`);
    return { name: svc.name, managed: true, running: true, pid: child.pid, address: svc.address, logFile: svc.logFile, detail: `started; ${probe.detail}` };
  } catch (err) {
    // Leave nothing half-started behind.
    if (isOurProcess(child.pid, svc.markers)) await stopProcess(child.pid, 10_000);
    removeFile(svc.pidFile);
    throw err;
  }
}

export async function stopService(svc: LocalService, logger: Logger, graceMs = 30_000): Promise<ServiceStatus> {
  const log = logger.child({ component: 'infra', name: svc.name });
  const base = { name: svc.name, managed: true, running: false, address: svc.address, logFile: svc.logFile };
  const filePid = readPidFile(svc.pidFile);
  const pid = ourPid(svc);
  if (pid === undefined) {
    if (filePid !== undefined) log.warn({ stalePid: filePid }, 'stale pid file removed; that pid is not ours, so it was not signalled');
    removeFile(svc.pidFile);
    return { ...base, detail: filePid !== undefined ? 'was not running (stale pid file removed)' : 'was not running' };
  }
  log.info({ servicePid: pid }, `stopping ${svc.name}`);
  const how = await stopProcess(pid, graceMs);
  if (isOurProcess(pid, svc.markers)) {
    throw new InfraError('stop_failed', `${svc.name} (pid ${pid}) is still alive after SIGKILL; check it with ps, see ${svc.logFile}`, svc.logFile);
  }
  removeFile(svc.pidFile);
  log.info({ servicePid: pid, how }, `${svc.name} stopped`);
  return { ...base, detail: `stopped (${how})` };
}
