// Shapes shared by the local-services modules: what a status report holds and how a failure is reported.
// Nothing here has side effects.

/** One service as seen from this machine. */
export interface ServiceStatus {
  /** 'kafka' | 'clickhouse' */
  name: string;
  /** true when shelfwatch starts and stops it (config.infra.managed). */
  managed: boolean;
  /** true when it answers on `address` (and, when managed, our process is alive). */
  running: boolean;
  /** Our process id, when managed and alive. */
  pid?: number;
  /** Where clients reach it: host:port for Kafka, the HTTP URL for ClickHouse. */
  address: string;
  /** Human-readable state, e.g. 'answering', 'stale pid file removed', the probe error. */
  detail?: string;
  /** The service's main log file, when managed. */
  logFile?: string;
}

export interface InfraStatus {
  kafka: ServiceStatus;
  clickhouse: ServiceStatus;
}

export type InfraErrorCode =
  | 'port_in_use'
  | 'port_conflict'
  | 'tool_missing'
  | 'jars_unavailable'
  | 'start_failed'
  | 'start_timeout'
  | 'stop_failed'
  | 'busy';

/**
 * Expected operational failures of `infra up/down`, with the fix in the message.
 * Not retryable by the caller as-is: each needs a change (free the port, install a tool, read the log).
 */
export class InfraError extends Error {
  override name = 'InfraError';
  readonly retryable = false;
  constructor(
    readonly code: InfraErrorCode,
    message: string,
    readonly logFile?: string,
  ) {
    super(message);
  }
}
