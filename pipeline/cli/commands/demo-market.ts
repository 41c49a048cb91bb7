// `shelfwatch demo-market --listings N --seed S`: runs the demo marketplace (crawlers/demo-market) on
// loopback until SIGINT/SIGTERM. Prints the base URL on stdout (first line) so scripts can read it; with
// --ground-truth FILE it first streams the ground truth there (progress bar on a TTY).
import { InvalidArgumentError, type Command } from 'commander';
import type { Action } from '../action.ts';
import { expectedError, intOption } from '../action.ts';

interface Opts {
  listings: number;
  seed: number;
  port: number;
  host: string;
  groundTruth?: string;
  clean: boolean;
  problemRate?: number;
  bucketMs?: number;
  accessLog?: string;
}

const int = intOption;
const rate = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('--problem-rate must be a number in 0..1');
  return n;
};

export function register(program: Command, action: Action): void {
  program
    .command('demo-market')
    .description('serve the deterministic demo marketplace (4 platforms, reference registers, ground truth) on loopback until interrupted')
    .option('--listings <n>', 'number of listings (rooms: one per 50 listings)', int('--listings', 1, 1e9), 1000)
    .option('--seed <n>', 'generator seed: the same seed serves the same bytes', int('--seed', -(2 ** 31), 2 ** 31 - 1), 1)
    .option('--port <n>', 'port (0 = any free port)', int('--port', 0, 65535), 0)
    .option('--host <addr>', 'address to listen on (keep it loopback)', '127.0.0.1')
    .option('--ground-truth <file>', 'write the ground truth (NDJSON, one line per listing, then per room) to this file first')
    .option('--clean', 'inject no problems (false-positive measurements)', false)
    .option('--problem-rate <r>', 'share of listings and rooms with an injected problem (default 0.2)', rate)
    .option('--bucket-ms <n>', 'livestream state time bucket in ms (default 3000)', int('--bucket-ms', 100, 3_600_000))
    .option('--access-log <file>', 'append every request (host header, path, status) to this NDJSON file')
    .action(
      action(async ({ logger }, opts: Opts) => {
        const { startDemoMarket, writeGroundTruth } = await import('../../../crawlers/demo-market/index.ts');
        const market = await startDemoMarket({
          listings: opts.listings,
          seed: opts.seed,
          port: opts.port,
          host: opts.host,
          clean: opts.clean,
          problemRate: opts.problemRate,
          bucketMs: opts.bucketMs,
          accessLogFile: opts.accessLog,
        }).catch((err: Error & { code?: string }) => {
          throw expectedError(`demo-market: cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
        });
        if (opts.groundTruth) {
          const { createWriteStream } = await import('node:fs');
          const out = createWriteStream(opts.groundTruth);
          const failed = new Promise<never>((_, reject) => out.once('error', (e) => reject(expectedError(`cannot write ${opts.groundTruth}: ${e.message}`))));
          let bar: { start(total: number, v: number): void; update(v: number): void; stop(): void } | undefined;
          const total = market.listingCount + market.roomCount;
          if (process.stderr.isTTY && total >= 20_000) {
            const { SingleBar, Presets } = await import('cli-progress');
            bar = new SingleBar({ stream: process.stderr, format: 'ground truth {bar} {value}/{total} lines' }, Presets.shades_classic);
            bar.start(total, 0);
          }
          try {
            await Promise.race([
              writeGroundTruth(
                { seed: opts.seed, listings: market.listingCount, rooms: market.roomCount, options: { clean: opts.clean, problemRate: opts.problemRate }, baseUrl: market.url },
                out,
                (done) => bar?.update(done),
              ),
              failed,
            ]);
            await new Promise<void>((resolve) => out.end(() => resolve()));
          } catch (err) {
            await market.close();
            throw err;
          } finally {
            bar?.stop();
          }
        }
        process.stdout.write(`${market.url}\n`);
        logger.info({ url: market.url, listings: market.listingCount, rooms: market.roomCount, seed: opts.seed, clean: opts.clean }, 'demo marketplace listening');
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await market.close();
      }),
    );
}
