// The `shelfwatch` command line. Each command loads the one config (file + SHELFWATCH_* env), builds a logger
// (pretty on a terminal, JSON otherwise) and runs. Modules are imported when a command runs, so `--help` is fast.
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import { makeAction } from './action.ts';
import { registerCommands } from './commands/index.ts';

const program = new Command()
  .name('shelfwatch')
  .version(createRequire(import.meta.url)('../../package.json').version)
  .description('Streaming surveillance of products sold online for safety problems (crawl -> Kafka -> detect -> ClickHouse).')
  .option('-c, --config <file>', 'config file (JSON); default ./shelfwatch.config.json when present, or $SHELFWATCH_CONFIG')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .addOption(new Option('--log-format <format>', 'pretty on a terminal, JSON otherwise').choices(['auto', 'pretty', 'json']))
  .showHelpAfterError();

const action = makeAction(program);

const infra = program.command('infra').description('start, stop and inspect the local Kafka broker and ClickHouse server');
infra
  .command('up')
  .description('start Kafka (KRaft, jars from Maven Central) and ClickHouse under the state directory; waits until both answer')
  .action(
    action(async ({ config, logger }) => {
      const { infraUp } = await import('../../infra/local/index.ts');
      const { printStatus } = await import('./print.ts');
      printStatus(await infraUp(config, logger));
    }),
  );
infra
  .command('down')
  .description('stop the local services started by `infra up`')
  .action(
    action(async ({ config, logger }) => {
      const { infraDown } = await import('../../infra/local/index.ts');
      await infraDown(config, logger);
    }),
  );
infra
  .command('status')
  .description('report whether Kafka and ClickHouse answer at the configured addresses')
  .action(
    action(async ({ config }) => {
      const { infraStatus } = await import('../../infra/local/index.ts');
      const { printStatus } = await import('./print.ts');
      const status = await infraStatus(config);
      printStatus(status);
      return status.kafka.running && status.clickhouse.running ? 0 : 3;
    }),
  );

program
  .command('migrate')
  .description('create the Kafka topics of the catalogue and apply pending ClickHouse migrations (idempotent)')
  .action(
    action(async ({ config, logger }) => {
      const { migrateAll } = await import('../setup.ts');
      await migrateAll(config, logger);
    }),
  );

program
  .command('run')
  .description('run pipeline stages in this process until SIGTERM/SIGINT')
  .argument('[stages...]', 'stages to run (default: all)')
  .action(
    action(async ({ config, logger }, stages: string[]) => {
      const { runStages } = await import('../topology.ts');
      await runStages(config, logger, stages.length ? stages : undefined);
    }),
  );

program
  .command('publish-sample')
  .description('publish generated listing snapshots to the incoming topic (for trying the pipeline)')
  .option('-n, --count <n>', 'how many listings', (v) => parseInt(v, 10), 200)
  .option('--seed <n>', 'generator seed', (v) => parseInt(v, 10), 1)
  .option('--malformed <n>', 'also publish this many malformed messages', (v) => parseInt(v, 10), 0)
  .action(
    action(async ({ config, logger }, opts: { count: number; seed: number; malformed: number }) => {
      const { publishSample } = await import('../sample.ts');
      const n = await publishSample(config, logger, opts);
      process.stdout.write(`published ${n} messages\n`);
    }),
  );

program
  .command('schemas')
  .description('write the JSON Schema of every message contract (for consumers in other languages)')
  .option('--out <dir>', 'output folder', 'docs/schemas')
  .action(
    action(async (_ctx, opts: { out: string }) => {
      const { writeJsonSchemas } = await import('../contracts/json-schema.ts');
      const files = await writeJsonSchemas(opts.out);
      process.stdout.write(files.map((f) => `wrote ${f}\n`).join(''));
    }),
  );

program
  .command('config')
  .description('print the effective configuration (file + environment), validated; secrets are never part of it')
  .action(
    action(async ({ config }) => {
      process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    }),
  );

registerCommands(program, action);

await program.parseAsync(process.argv);
