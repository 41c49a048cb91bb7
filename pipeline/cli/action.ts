// The wrapper every CLI command runs through: loads the one config (file + SHELFWATCH_* env + global flags),
// builds the logger, reports expected failures (bad config, a service that does not answer) as one line
// without a stack, and sets the exit code.
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createLogger, type Logger } from '../logger.ts';

export interface GlobalOpts {
  config?: string;
  logLevel?: Config['log']['level'];
  logFormat?: Config['log']['format'];
}

export interface CommandContext {
  config: Config;
  logger: Logger;
}

/** An error the user can fix from its message alone: printed without a stack. */
/** commander option parser: an integer in min..max, or a usage error naming the option. */
export const intOption =
  (name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(min === Number.MIN_SAFE_INTEGER ? `${name} must be an integer` : `${name} must be an integer in ${min}..${max}`);
    return n;
  };

export { expectedError } from '../errors.ts';

export type Action = <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<void | number>) => (...args: A) => Promise<void>;

export function makeAction(program: Command): Action {
  return <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<void | number>) =>
    async (...args: A) => {
      const g = program.opts<GlobalOpts>();
      let logger: Logger | undefined;
      try {
        const loaded = loadConfig({ file: g.config });
        const config: Config = { ...loaded, log: { level: g.logLevel ?? loaded.log.level, format: g.logFormat ?? loaded.log.format } };
        logger = createLogger(config.log);
        const code = await fn({ config, logger }, ...args);
        if (typeof code === 'number') process.exitCode = code;
      } catch (err) {
        const e = err as Error & { expected?: boolean };
        if (err instanceof ConfigError || e.expected) {
          process.stderr.write(`shelfwatch: ${e.message}\n`);
        } else if (logger) {
          logger.error({ err: e }, e.message);
        } else {
          process.stderr.write(`shelfwatch: ${e.stack ?? e.message}\n`);
        }
        process.exitCode = 1;
      }
    };
}
