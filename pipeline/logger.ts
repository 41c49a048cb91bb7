// Logging: pino everywhere. Pretty on a terminal, JSON lines otherwise (or as configured).
// Components take `logger.child({ component, name })`; never bind untrusted text, never log per event at info.
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

const REDACT = ['password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization'];

export function createLogger(log: Config['log'] = { level: 'info', format: 'auto' }, stream: NodeJS.WritableStream = process.stderr): Logger {
  const pretty = log.format === 'pretty' || (log.format === 'auto' && (stream as NodeJS.WriteStream).isTTY === true);
  if (pretty) {
    // pino-pretty in-process (not a worker transport): simple, and logs are flushed before exit.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pinoPretty = require_('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino({ level: log.level, redact: REDACT, base: undefined }, pinoPretty({ destination: stream, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return pino({ level: log.level, redact: REDACT, base: { pid: process.pid } }, stream);
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
