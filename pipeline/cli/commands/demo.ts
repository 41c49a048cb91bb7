// `shelfwatch demo` (npm run demo): the pipeline end to end on the demo marketplace (pipeline/demo.ts): infra
// up, migrate, market on loopback, its reference registers loaded, crawl, stages until everything landed, then
// the report from ClickHouse. The crawl shows a progress bar on stderr when it is a terminal.
import { InvalidArgumentError, type Command } from 'commander';
import type { Action } from '../action.ts';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in ${min}..${max}`);
  return n;
};

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
        const progress = await progressBar();
        try {
          await runDemo(config, logger, { listings: opts.listings, seed: opts.seed, port: opts.port, settleTimeoutMs: opts.timeout * 1000, onCrawlProgress: progress.update, onCrawlDone: progress.stop });
        } finally {
          progress.stop();
        }
      }),
    );
}

interface Progress {
  update: (s: { done: number; failed: number; queued: number; startedAt: number }) => void;
  stop: () => void;
}

/** Crawl progress (pages done / failed / queued) on stderr, only on a terminal. */
async function progressBar(): Promise<Progress> {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: 'crawl {bar} {value}/{total} pages | failed {failed} | queued {queued}', hideCursor: true }, Presets.shades_classic);
  let state: 'new' | 'running' | 'stopped' = 'new';
  return {
    update(s) {
      if (state === 'stopped') return;
      const total = Math.max(1, s.done + s.failed + s.queued);
      if (state === 'new') {
        bar.start(total, s.done + s.failed, { failed: s.failed, queued: s.queued });
        state = 'running';
      } else {
        bar.setTotal(total);
        bar.update(s.done + s.failed, { failed: s.failed, queued: s.queued });
      }
    },
    stop() {
      if (state === 'running') bar.stop();
      state = 'stopped';
    },
  };
}
