// Crawler commands: `shelfwatch extract FILE|URL` (what the adapter or the generic extractor gets from one
// page, one ListingSnapshot JSON line per product: the tool for writing or fixing an adapter) and
// `shelfwatch crawl` (the configured targets into Kafka, with a progress bar).
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
}
