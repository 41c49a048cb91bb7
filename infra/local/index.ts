// Local services, started by the project: `infraUp` starts one Kafka broker (KRaft) and one ClickHouse server
// from <stateDir>, `infraDown` stops them, `infraStatus` reports. All three are idempotent.
// With config.infra.managed=false nothing is started or stopped: status probes config.kafka.brokers and
// config.clickhouse.url (your own clusters).
import { join } from 'node:path';
import { statePaths, type Config } from '../../pipeline/config.ts';
import type { Logger } from '../../pipeline/logger.ts';
import { clickhouseService, probeClickHouse } from './clickhouse.ts';
import { kafkaService, probeConfiguredKafka } from './kafka.ts';
import { LockTimeout, withLock } from './procs.ts';
import { checkPorts, managedStatus, ourPid, startService, stopService, type LocalService } from './service.ts';
import { InfraError, type InfraStatus, type ServiceStatus } from './types.ts';

export type { InfraStatus, ServiceStatus } from './types.ts';
export { InfraError } from './types.ts';

function services(config: Config): { kafka: LocalService; clickhouse: LocalService } {
  return { kafka: kafkaService(config), clickhouse: clickhouseService(config) };
}

function lockFile(config: Config): string {
  return join(statePaths(config.infra).pids, 'infra.lock');
}

async function locked<T>(config: Config, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLock(lockFile(config), timeoutMs, fn);
  } catch (err) {
    if (err instanceof LockTimeout) {
      throw new InfraError('busy', `another shelfwatch infra up/down (pid ${err.owner ?? '?'}) is running on ${statePaths(config.infra).root}; wait for it, or remove ${err.file} if that process is gone`);
    }
    throw err;
  }
}

function checkDistinctPorts(config: Config): void {
  const fields = ['kafkaPort', 'kafkaControllerPort', 'clickhouseHttpPort', 'clickhouseTcpPort', 'clickhouseInterserverPort'] as const;
  const seen = new Map<number, string>();
  for (const f of fields) {
    const p = config.infra[f];
    const other = seen.get(p);
    if (other) throw new InfraError('port_conflict', `infra.${f} and infra.${other} are both ${p}; give each local service port its own number`);
    seen.set(p, f);
  }
}

/** Warns when the clients' addresses do not point at the services we manage (a common mix-up). */
function warnAddressMismatch(config: Config, logger: Logger): void {
  const kafkaLocal = [`127.0.0.1:${config.infra.kafkaPort}`, `localhost:${config.infra.kafkaPort}`];
  if (!config.kafka.brokers.some((b) => kafkaLocal.includes(b))) {
    logger.warn({ brokers: config.kafka.brokers, kafkaPort: config.infra.kafkaPort }, 'kafka.brokers does not include the local broker (127.0.0.1:infra.kafkaPort); the pipeline will not use it');
  }
  const u = new URL(config.clickhouse.url);
  if (!['127.0.0.1', 'localhost'].includes(u.hostname) || Number(u.port || 80) !== config.infra.clickhouseHttpPort) {
    logger.warn({ url: config.clickhouse.url, clickhouseHttpPort: config.infra.clickhouseHttpPort }, 'clickhouse.url does not point at the local server (http://127.0.0.1:infra.clickhouseHttpPort); the pipeline will not use it');
  }
}

async function unmanagedStatus(config: Config): Promise<InfraStatus> {
  const [k, c] = await Promise.all([probeConfiguredKafka(config, 3000), probeClickHouse(config.clickhouse.url, 3000)]);
  const kafka: ServiceStatus = { name: 'kafka', managed: false, running: k.ok, address: config.kafka.brokers.join(','), detail: k.detail };
  const clickhouse: ServiceStatus = { name: 'clickhouse', managed: false, running: c.ok, address: config.clickhouse.url, detail: c.detail };
  return { kafka, clickhouse };
}

export async function infraStatus(config: Config): Promise<InfraStatus> {
  if (!config.infra.managed) return unmanagedStatus(config);
  const s = services(config);
  const [kafka, clickhouse] = await Promise.all([managedStatus(s.kafka), managedStatus(s.clickhouse)]);
  return { kafka, clickhouse };
}

/**
 * Starts Kafka and ClickHouse unless our processes already run, and returns once both answer.
 * Checks first (ports, tools) for both, so a taken port fails fast before anything starts.
 * If one service fails the other is left running (see infraStatus / infraDown) and the error is thrown.
 */
export async function infraUp(config: Config, logger: Logger): Promise<InfraStatus> {
  const log = logger.child({ component: 'infra', name: 'local' });
  if (!config.infra.managed) {
    log.info('infra.managed is false: not starting anything; probing the configured Kafka and ClickHouse');
    return unmanagedStatus(config);
  }
  checkDistinctPorts(config);
  warnAddressMismatch(config, log);
  const timeoutSec = config.infra.startTimeoutSec;
  return locked(config, (timeoutSec + 60) * 1000, async () => {
    const s = services(config);
    const toStart = [s.kafka, s.clickhouse].filter((svc) => ourPid(svc) === undefined);
    for (const svc of toStart) await checkPorts(svc);
    for (const svc of toStart) await svc.preflight(log);
    const [k, c] = await Promise.allSettled([startService(s.kafka, timeoutSec, logger), startService(s.clickhouse, timeoutSec, logger)]);
    if (k.status === 'rejected') throw k.reason;
    if (c.status === 'rejected') throw c.reason;
    return { kafka: k.value, clickhouse: c.value };
  });
}

/** Stops our Kafka and ClickHouse (SIGTERM, up to 30 s, then SIGKILL) and removes their pid files. */
export async function infraDown(config: Config, logger: Logger): Promise<InfraStatus> {
  const log = logger.child({ component: 'infra', name: 'local' });
  if (!config.infra.managed) {
    log.info('infra.managed is false: not stopping anything');
    return unmanagedStatus(config);
  }
  return locked(config, 120_000, async () => {
    const s = services(config);
    const [k, c] = await Promise.allSettled([stopService(s.kafka, logger), stopService(s.clickhouse, logger)]);
    if (k.status === 'rejected') throw k.reason;
    if (c.status === 'rejected') throw c.reason;
    return { kafka: k.value, clickhouse: c.value };
  });
}
