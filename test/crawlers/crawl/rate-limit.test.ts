import { describe, expect, it } from 'vitest';
import { createHostRateLimiter } from '../../../crawlers/crawl/rate-limit.ts';

describe('createHostRateLimiter', () => {
  it('spaces request starts per host at 1/rate and keeps hosts independent', async () => {
    const limiter = createHostRateLimiter((h) => (h === 'a' ? 20 : 1000));
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await limiter.acquire('a');
    const elapsedA = Date.now() - t0;
    expect(elapsedA).toBeGreaterThanOrEqual(4 * 50 - 5);
    const t1 = Date.now();
    for (let i = 0; i < 5; i++) await limiter.acquire('b');
    expect(Date.now() - t1).toBeLessThan(150); // at 20/s (host a) these 5 would take 200 ms
  });

  it.each([[0], [Number.NaN], [Infinity]])('rate %s means no limit', async (rate) => {
    const limiter = createHostRateLimiter(() => rate);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await limiter.acquire('x');
    expect(Date.now() - t0).toBeLessThan(200); // any limit this test could miss (>= 20/s) would take 450 ms
  });
});
