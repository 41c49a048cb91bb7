// CrawlRequest: one URL to fetch, as it travels on the crawl-requests topic (key = host, so one host's
// requests stay on one partition and one worker, which keeps per-host politeness local).
// In/out: JSON on Kafka, parsed with zod where it enters.
import { z } from 'zod';
import { isoDateTime, schemaVersion, snakeId } from '../../pipeline/contracts/common.ts';

export const CrawlRequest = z.strictObject({
  schema_version: schemaVersion,
  url: z.url({ protocol: /^https?$/ }).max(4096),
  /** Platform id of the target that produced the request. */
  platform: snakeId,
  kind: z.enum(['listing', 'livestream']),
  /** 'seed', 'list' (category / pagination) or 'item' (a product page or a room). */
  label: z.enum(['seed', 'list', 'item']),
  /** Links followed from the seed. */
  depth: z.number().int().min(0).max(1000),
  enqueued_at: isoDateTime,
});
export type CrawlRequest = z.infer<typeof CrawlRequest>;

/** The Kafka key of a request: its host (lower case, with port). */
export function crawlRequestKey(url: string): string {
  return new URL(url).host.toLowerCase();
}
