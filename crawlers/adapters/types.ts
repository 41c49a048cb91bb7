// The typed definition every site adapter exports: { name, hosts, pathPrefix?, configSchema, create }.
// create(config) returns the adapter, whose extract(page) turns one fetched page into products (ListingSnapshot
// fields without fetch metadata), livestream samples, and links to follow. In: a parsed page. Out: products.
import type { CheerioAPI } from 'cheerio';
import type { z } from 'zod';
import type { ExtractedProduct } from '../extract/product.ts';

export interface AdapterPage {
  url: string;
  html: string;
  $: CheerioAPI;
}

export interface PageLinks {
  /** Product pages to fetch next. */
  products: string[];
  /** Category / search / pagination pages to fetch next. */
  lists: string[];
}

/** One sample of a livestream room as the page shows it now (the sampler adds seq, time and transcript delta). */
export interface RoomSample {
  room_id: string;
  host: { host_id: string; name: string; seller_id: string | null };
  viewer_count: number | null;
  product: {
    listing_id: string | null;
    title: string;
    price: number | null;
    currency: string | null;
    claimed_price_text: string | null;
    claimed_discount: string | null;
    ccc_numbers: string[];
    brand: string;
    model: string | null;
  } | null;
  /** Every transcript line currently on the page (the sampler keeps those not seen before). */
  transcript: { at: string; text: string }[];
}

export interface SiteAdapter {
  readonly name: string;
  /** Products on the page (empty for list pages). */
  extract(page: AdapterPage): ExtractedProduct[];
  /** Links worth following from this page. */
  links(page: AdapterPage): PageLinks;
  /** Whether the page needs a browser (its content is rendered by scripts). */
  needsBrowser(url: string): boolean;
  /** Livestream platforms: whether the URL is a room to sample, and the sample the page shows. */
  isRoom?(url: string): boolean;
  sampleRoom?(page: AdapterPage): RoomSample | null;
  /** CSS selector that appears once a browser-rendered page is ready (waited for before reading). */
  readySelector?(url: string): string | null;
}

export interface AdapterDefinition<C extends z.ZodType = z.ZodType> {
  /** snake_case platform id, also the ListingSnapshot platform. */
  readonly name: string;
  /** Host names (exact, or '*.example.com') this adapter handles. */
  readonly hosts: readonly string[];
  /** Optional path prefix when several platforms share a host (the demo marketplace serves all four on one). */
  readonly pathPrefix?: string;
  readonly configSchema: C;
  create(config: z.infer<C>): SiteAdapter;
}

/**
 * The transcript lines of a sample not seen in earlier samples of the same room (a room page shows a scrolling
 * window, so consecutive samples overlap); remembers them in `seen`.
 */
export function freshTranscript(seen: Set<string>, transcript: RoomSample['transcript']): RoomSample['transcript'] {
  return transcript.filter((line) => {
    const k = `${line.at}|${line.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
