// The demo's crawl section (pure): the demo market's four platforms and its bad endpoints, only the market's
// host:port allowed, validated like any config.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../pipeline/config.ts';
import { DEMO_BAD_PATHS, demoCrawlConfig } from '../../pipeline/demo.ts';

describe('demoCrawlConfig', () => {
  it.each(['http://127.0.0.1:18480', 'http://127.0.0.1:40001'])('targets the market at %s and allows only its host:port', (url) => {
    const c = demoCrawlConfig(loadConfig({ env: {} }), url).crawl;
    expect(c.allowHosts).toEqual([new URL(url).host]);
    expect(c.frontier).toBe('local');
    expect(c.targets.map((t) => [t.platform, t.kind])).toEqual([
      ['bigmall', 'listing'],
      ['selfshop', 'listing'],
      ['spa_mall', 'listing'],
      ['livebuy', 'livestream'],
      ['generic', 'listing'],
    ]);
    for (const t of c.targets) for (const s of t.seedUrls) expect(s.startsWith(`${url}/`)).toBe(true);
    expect(c.targets.at(-1)!.seedUrls).toEqual(DEMO_BAD_PATHS.map((p) => url + p));
    expect(c.livestream.samples).toBeGreaterThanOrEqual(3);
  });

  it('refuses a market URL that is not http(s), naming the field', () => {
    expect(() => demoCrawlConfig(loadConfig({ env: {} }), 'ftp://127.0.0.1:21')).toThrow(/crawl\.targets/);
  });
});
