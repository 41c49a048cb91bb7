import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../crawlers/adapters/index.ts';
import { ADAPTER_NAMES } from '../../../crawlers/adapters/names.ts';
import { crawlConfigSchema } from '../../../crawlers/config.ts';
import { CrawlRequest, crawlRequestKey } from '../../../crawlers/crawl/crawl-request.ts';
import { parseConfig } from '../../../pipeline/config.ts';

const target = { platform: 'bigmall', seedUrls: ['http://127.0.0.1:8080/bigmall/'] };

describe('crawl config', () => {
  it('defaults', () => {
    const c = crawlConfigSchema.parse({});
    expect(c).toMatchObject({ targets: [], allowHosts: [], maxRetries: 3, frontier: 'local', livestream: { samples: 3 }, browser: { executablePath: '/usr/bin/chromium' } });
  });

  it('fills target defaults', () => {
    const c = crawlConfigSchema.parse({ allowHosts: ['127.0.0.1'], targets: [target] });
    expect(c.targets[0]).toMatchObject({ kind: 'listing', schedule: 'once', perHostRate: 5, concurrency: 4 });
  });

  it.each([
    [{ allowHosts: ['127.0.0.1'], targets: [{ ...target, platform: 'nosuch' }] }, 'crawl.targets.0.platform', /unknown platform/],
    [{ allowHosts: ['example.com'], targets: [target] }, 'crawl.targets.0.seedUrls.0', /not in crawl.allowHosts/],
    [{ allowHosts: ['127.0.0.1'], targets: [{ ...target, seedUrls: ['ftp://127.0.0.1/x'] }] }, 'crawl.targets.0.seedUrls.0', /./],
    [{ allowHosts: ['127.0.0.1'], targets: [{ ...target, kind: 'video' }] }, 'crawl.targets.0.kind', /./],
    [{ allowHosts: ['127.0.0.1'], targets: [{ ...target, concurrency: 0 }] }, 'crawl.targets.0.concurrency', /./],
    [{ allowHosts: ['127.0.0.1'], targets: [{ ...target, extra: 1 }] }, 'crawl.targets.0', /unknown key/],
    [{ allowHosts: ['http://x.com'] }, 'crawl.allowHosts.0', /host/],
    [{ maxRetries: 99 }, 'crawl.maxRetries', /./],
    [{ frontier: 'redis' }, 'crawl.frontier', /./],
  ])('rejects %j naming %s', (crawl, path, message) => {
    let err: { issues?: { path: string; message: string }[] } | undefined;
    try {
      parseConfig({ crawl });
    } catch (e) {
      err = e as typeof err;
    }
    const issue = err?.issues?.find((i) => i.path === path);
    expect(issue, JSON.stringify(err?.issues)).toBeDefined();
    expect(issue!.message).toMatch(message);
  });

  it('the light list of adapter names equals the registry', () => {
    expect([...ADAPTER_NAMES].sort()).toEqual(ADAPTERS.map((a) => a.name).sort());
  });
});

describe('CrawlRequest', () => {
  const ok = { schema_version: 1, url: 'http://127.0.0.1:8080/x', platform: 'bigmall', kind: 'listing', label: 'seed', depth: 0, enqueued_at: '2026-01-01T00:00:00.000Z' };
  it('parses a good request and keys it by host', () => {
    expect(CrawlRequest.parse(ok)).toEqual(ok);
    expect(crawlRequestKey(ok.url)).toBe('127.0.0.1:8080');
  });
  it.each([
    [{ ...ok, url: 'javascript:alert(1)' }],
    [{ ...ok, platform: 'Big Mall' }],
    [{ ...ok, label: 'other' }],
    [{ ...ok, depth: -1 }],
    [{ ...ok, extra: true }],
  ])('rejects %j', (bad) => {
    expect(CrawlRequest.safeParse(bad).success).toBe(false);
  });
});
