// Crawler commands: `shelfwatch extract FILE|URL` (what the adapter or the generic extractor gets from one
// page, one ListingSnapshot JSON line per product: the tool for writing or fixing an adapter) and
// `shelfwatch crawl` (the configured targets into Kafka with a progress bar; local frontier, or Kafka
// frontier with --seed-only / --worker).
import type { Command } from 'commander';
import { expectedError, type Action } from '../action.ts';

const MAX_FETCH_BYTES = 20 * 1024 * 1024;

async function readInput(target: string, timeoutMs: number): Promise<{ bytes: Buffer; url: string | null; status: number; contentType: string | null; kind: 'file' | 'cheerio' }> {
  if (/^https?:\/\//i.test(target)) {
    let res: Response;
    try {
      res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (err) {
      throw expectedError(`cannot fetch ${target}: ${(err as Error).message}`);
    }
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_FETCH_BYTES) throw expectedError(`${target}: page is ${len} bytes, more than ${MAX_FETCH_BYTES}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_FETCH_BYTES) throw expectedError(`${target}: page is ${bytes.length} bytes, more than ${MAX_FETCH_BYTES}`);
    return { bytes, url: res.url || target, status: res.status, contentType: res.headers.get('content-type'), kind: 'cheerio' };
  }
  const { readFile } = await import('node:fs/promises');
  try {
    return { bytes: await readFile(target), url: null, status: 200, contentType: null, kind: 'file' };
  } catch (err) {
    throw expectedError(`cannot read ${target}: ${(err as Error).message}`);
  }
}

export function register(program: Command, action: Action): void {
  program
    .command('extract')
    .description('print what the site adapter (or the generic schema.org extractor) gets from one page: one ListingSnapshot JSON line per product')
    .argument('<file|url>', 'an HTML file (.html or .html.gz) or an http(s) URL')
    .option('--url <url>', 'the page URL when reading a file (picks the adapter, resolves relative links); default http://file.invalid/<file name>')
    .option('--platform <name>', 'use this platform adapter instead of matching the URL')
    .option('--content-type <value>', 'Content-Type header of a file (for its charset)')
    .option('--timeout <ms>', 'fetch timeout for a URL', (v) => parseInt(v, 10), 30_000)
    .action(
      action(async (_ctx, target: string, opts: { url?: string; platform?: string; contentType?: string; timeout: number }) => {
        const { basename } = await import('node:path');
        const { contentHash } = await import('../../contracts/common.ts');
        const { extractPage } = await import('../../../crawlers/extract/index.ts');
        const { toListingSnapshot } = await import('../../../crawlers/extract/snapshot.ts');
        const input = await readInput(target, opts.timeout);
        const url = opts.url ?? input.url ?? `http://file.invalid/${encodeURIComponent(basename(target))}`;
        let result;
        try {
          result = extractPage({ bytes: input.bytes, url, contentType: opts.contentType ?? input.contentType, platform: opts.platform ?? null });
        } catch (err) {
          throw expectedError(`${target}: ${(err as Error).message}`);
        }
        for (const e of result.errors) process.stderr.write(`shelfwatch extract: ${target}: ${e}\n`);
        const meta = {
          platform: result.extractor,
          url,
          fetchedAt: new Date(),
          httpStatus: input.status,
          contentHash: contentHash(input.bytes),
          crawlerKind: input.kind,
        };
        let bad = 0;
        for (const p of result.products) {
          const s = toListingSnapshot(p, meta);
          if (s.ok) process.stdout.write(JSON.stringify(s.snapshot) + '\n');
          else {
            bad++;
            process.stderr.write(`shelfwatch extract: ${target}: ${s.error}\n`);
          }
        }
        if (result.products.length === 0) process.stderr.write(`shelfwatch extract: ${target}: no product found (extractor ${result.extractor}, charset ${result.charset})\n`);
        return bad > 0 ? 1 : 0;
      }),
    );

  program
    .command('crawl')
    .description('crawl the configured targets (crawl.targets) into Kafka: listing snapshots, livestream samples, dead letters; shows done, failed, queued and rate')
    .option('--platform <names...>', 'only the targets of these platforms')
    .option('--seed-only', 'Kafka frontier: publish the seed URLs to the crawl-requests topic and exit')
    .option('--worker', 'Kafka frontier: run a crawler worker of the consumer group until SIGINT/SIGTERM (default when crawl.frontier is kafka)')
    .option('--watch', 'local frontier: keep crawling targets again on their schedule (everyMinutes) until SIGINT/SIGTERM')
    .action(
      action(async ({ config, logger }, opts: { platform?: string[]; seedOnly?: boolean; worker?: boolean; watch?: boolean }) => {
        const { crawlLocal, crawlWorker, publishSeeds } = await import('../../../crawlers/crawl/run.ts');
        const targets = config.crawl.targets.filter((t) => !opts.platform || opts.platform.includes(t.platform));
        if (targets.length === 0) throw expectedError(opts.platform ? `no crawl target of platform ${opts.platform.join(', ')} in crawl.targets` : 'no crawl targets: add crawl.targets to the config');
        if (opts.seedOnly) {
          const n = await publishSeeds(config, logger, { targets });
          process.stderr.write(`published ${n} seed request(s) to the crawl-requests topic\n`);
          return 0;
        }
        const progress = await crawlProgressBar();
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          let stats;
          if (opts.worker || config.crawl.frontier === 'kafka') {
            stats = await crawlWorker(config, logger, { targets, onProgress: progress.update, signal: controller.signal });
          } else {
            stats = await crawlLocal(config, logger, { targets, onProgress: progress.update });
            while (opts.watch && !controller.signal.aborted) {
              const due = targets.filter((t) => t.schedule !== 'once');
              if (due.length === 0) break;
              const waitMs = Math.min(...due.map((t) => (t.schedule === 'once' ? Infinity : t.schedule.everyMinutes * 60_000)));
              await new Promise<void>((r) => {
                const timer = setTimeout(r, waitMs);
                controller.signal.addEventListener('abort', () => (clearTimeout(timer), r()), { once: true });
              });
              if (controller.signal.aborted) break;
              stats = await crawlLocal(config, logger, { targets: due, onProgress: progress.update });
            }
          }
          progress.stop();
          process.stderr.write(
            `crawl: ${stats.done} pages done, ${stats.listings} listings, ${stats.samples} livestream samples, ${stats.failed} dead-lettered` +
              (stats.failed ? ` (${Object.entries(stats.failedByReason).map(([k, v]) => `${k} ${v}`).join(', ')})` : '') +
              `, ${stats.retries} retries\n`,
          );
          return 0;
        } finally {
          progress.stop();
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }),
    );
}

interface Progress {
  update: (s: { done: number; failed: number; queued: number; startedAt: number }) => void;
  stop: () => void;
}

/** done / failed / queued / rate on stderr, only when stderr is a terminal. */
export async function crawlProgressBar(): Promise<Progress> {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    { stream: process.stderr, format: 'crawl {bar} done {done} | failed {failed} | queued {queued} | {rate} pages/s', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(s) {
      if (stopped) return;
      const total = s.done + s.failed + s.queued;
      const secs = Math.max(0.001, (Date.now() - s.startedAt) / 1000);
      const payload = { done: s.done, failed: s.failed, queued: s.queued, rate: ((s.done + s.failed) / secs).toFixed(1) };
      if (!started) {
        bar.start(Math.max(1, total), s.done + s.failed, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(1, total));
        bar.update(s.done + s.failed, payload);
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
