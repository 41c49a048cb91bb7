// `shelfwatch demo` (npm run demo): the pipeline end to end on the demo marketplace (pipeline/demo.ts): infra
// up, migrate, market on loopback, its reference registers loaded, crawl, stages until everything landed, then
// the report from ClickHouse. The crawl shows a progress bar on stderr when it is a terminal.
import type { Command } from 'commander';
import { intOption, type Action } from '../action.ts';
import { crawlProgressBar } from './crawl.ts';

const int = intOption;

interface Opts {
  listings: number;
  seed: number;
  port: number;
  timeout: number;
}

export function register(program: Command, action: Action): void {
  program
    .command('demo')
    .description('end to end: infra up, migrate, crawl the demo marketplace (4 platforms, livestream rooms, bad pages), run ingest, detect and the ClickHouse sink until all landed, print listings, alerts, dead letters, boards and analyst answers')
    .option('--listings <n>', 'listings of the demo market (rooms: one per 50 listings); a few hundred take a minute or two', int('--listings', 4, 100_000), 300)
    .option('--seed <n>', 'market seed (the same seed serves the same pages)', int('--seed', -(2 ** 31), 2 ** 31 - 1), 1)
    .option('--port <n>', 'market port on 127.0.0.1; fixed so a second run crawls the same URLs (0 = any free port)', int('--port', 0, 65535), 18480)
    .option('--timeout <s>', 'seconds the stages may take after the crawl to land everything', int('--timeout', 1, 3600), 180)
    .action(
      action(async ({ config, logger }, opts: Opts) => {
        const { runDemo } = await import('../../demo.ts');
        const progress = await crawlProgressBar();
        try {
          await runDemo(config, logger, { listings: opts.listings, seed: opts.seed, port: opts.port, settleTimeoutMs: opts.timeout * 1000, onCrawlProgress: progress.update, onCrawlDone: progress.stop });
        } finally {
          progress.stop();
        }
      }),
    );
}
