// One page in, products out: decodes the bytes (gzip, charset), runs the site adapter for the URL's platform
// or, when none matches (or the adapter finds nothing), the generic schema.org extractor.
// In: raw bytes, the URL (when known), the Content-Type header (when known). Out: products + problems met.
// Used by `shelfwatch extract`, `npm run eval:extract` and the crawlers, so all three see the same thing.
import * as cheerio from 'cheerio';
import { adapterByName, adapterDefinitionFor } from '../adapters/index.ts';
import { decodePage } from './decode.ts';
import { extractGeneric } from './generic.ts';
import type { ExtractedProduct } from './product.ts';

export interface PageExtraction {
  products: ExtractedProduct[];
  /** 'generic' or the adapter's platform name. */
  extractor: string;
  charset: string;
  errors: string[];
}

export interface ExtractInput {
  bytes: Uint8Array;
  url?: string | null;
  contentType?: string | null;
  /** Force a platform adapter (by name) instead of matching the URL. */
  platform?: string | null;
}

export function extractPage(input: ExtractInput): PageExtraction {
  const { html, charset } = decodePage(input.bytes, input.contentType);
  return extractHtml(html, { url: input.url ?? null, platform: input.platform ?? null, charset });
}

export function extractHtml(html: string, opts: { url: string | null; platform?: string | null; charset?: string }): PageExtraction {
  const $ = cheerio.load(html);
  const charset = opts.charset ?? 'utf-8';
  const platform = opts.platform ?? (opts.url ? adapterDefinitionFor(opts.url)?.name : undefined) ?? null;
  const errors: string[] = [];
  if (platform) {
    const adapter = adapterByName(platform);
    if (!adapter) throw new Error(`unknown platform adapter '${platform}'`);
    try {
      const products = adapter.extract({ url: opts.url ?? '', html, $ });
      if (products.length > 0) return { products, extractor: platform, charset, errors };
      errors.push(`adapter ${platform} found no product; used the generic extractor`);
    } catch (err) {
      errors.push(`adapter ${platform} failed (${(err as Error).message}); used the generic extractor`);
    }
  }
  const generic = extractGeneric($, { url: opts.url });
  return { products: generic.products, extractor: 'generic', charset, errors: [...errors, ...generic.errors] };
}
