// The `crawl` config section: what to crawl (targets), where the crawler may go (allowHosts), and how politely
// and persistently. Combined into the one config in pipeline/config.ts. Strict: unknown keys are rejected, an
// unknown platform or a seed URL off the allow-list is an error naming the field.
import { z } from 'zod';
import { ADAPTER_NAMES } from './adapters/names.ts';
import { hostAllowed } from './crawl/allow-list.ts';

/** 'example.com', '*.example.com', '127.0.0.1:8080' (a port pins the entry to that port). */
const hostPattern = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:]+\](?::\d{1,5})?$/, 'expected a host name, *.domain, or host:port');

export const crawlTargetSchema = z.strictObject({
  /** Platform id: a site adapter's name (crawlers/adapters/index.ts) or 'generic' (schema.org extractor only). */
  platform: z.string().refine((p) => p === 'generic' || (ADAPTER_NAMES as readonly string[]).includes(p), { message: `unknown platform: expected 'generic' or one of the site adapters` }),
  /** Where the crawl starts (home, category, search or item pages; room index or rooms for livestreams). */
  seedUrls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** 'listing' pages give ListingSnapshots; 'livestream' rooms are sampled into LivestreamSnapshots. @default 'listing' */
  kind: z.enum(['listing', 'livestream']).default('listing'),
  /** 'once', or re-crawl every N minutes when `shelfwatch crawl --watch` runs. @default 'once' */
  schedule: z.union([z.literal('once'), z.strictObject({ everyMinutes: z.number().int().min(1).max(7 * 24 * 60) })]).default('once'),
  /** Requests per second to one host at most (the lowest of the targets sharing a host wins). @default 5 */
  perHostRate: z.number().positive().max(1000).default(5),
  /** Pages fetched at once for this target. @default 4 */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Stop after this many pages of the target (seeds included). @default unlimited */
  maxPages: z.number().int().min(1).optional(),
});
export type CrawlTarget = z.infer<typeof crawlTargetSchema>;

export const crawlConfigSchema = z
  .strictObject({
    targets: z.array(crawlTargetSchema).default([]),
    /** Hosts the crawler may fetch. Requests, redirects and in-page fetches elsewhere are refused. @default [] */
    allowHosts: z.array(hostPattern).default([]),
    /** Retries of a failing page before it is dead-lettered. @default 3 */
    maxRetries: z.number().int().min(0).max(10).default(3),
    /** Backoff before retry n is retryBackoffMs * 2^(n-1), at most 30 s. @default 500 */
    retryBackoffMs: z.number().int().min(0).max(30_000).default(500),
    /** Timeout of one fetch (headers and body), seconds. @default 20 */
    requestTimeoutSec: z.number().int().min(1).max(600).default(20),
    /** Larger pages are refused (and dead-lettered). @default 5 MiB */
    maxPageBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(5 * 1024 * 1024),
    livestream: z
      .strictObject({
        /** Samples taken per room visit. @default 3 */
        samples: z.number().int().min(1).max(1000).default(3),
        /** Time between samples, ms. @default 4000 */
        intervalMs: z.number().int().min(100).max(600_000).default(4000),
      })
      .prefault({}),
    browser: z
      .strictObject({
        /** Debian's chromium; a browser is never downloaded. @default '/usr/bin/chromium' */
        executablePath: z.string().min(1).default('/usr/bin/chromium'),
        /** Time to wait for a client-rendered page to be ready, ms. @default 15000 */
        readyTimeoutMs: z.number().int().min(100).default(15_000),
      })
      .prefault({}),
    /** Where crawl requests come from: this process's own queue, or the crawl-requests Kafka topic (workers in a consumer group). @default 'local' */
    frontier: z.enum(['local', 'kafka']).default('local'),
    /** Raw pages kept as evidence (content-addressed). @default '<infra.stateDir>/evidence' */
    evidenceDir: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    c.targets.forEach((t, i) =>
      t.seedUrls.forEach((u, j) => {
        if (!hostAllowed(u, c.allowHosts)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'seedUrls', j], message: `host of ${u} is not in crawl.allowHosts` });
      }),
    );
  });
export type CrawlConfig = z.infer<typeof crawlConfigSchema>;
