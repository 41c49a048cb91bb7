// Per-host politeness: at most `rate` request starts per second per host, spaced evenly. In: a host.
// Out: a promise that resolves when this request may start. The schedule is kept per host in memory.
export interface HostRateLimiter {
  acquire(host: string): Promise<void>;
}

export function createHostRateLimiter(rateFor: (host: string) => number, now: () => number = Date.now): HostRateLimiter {
  const next = new Map<string, number>();
  return {
    async acquire(host) {
      const rate = rateFor(host);
      if (!(rate > 0) || !Number.isFinite(rate)) return;
      const t = now();
      const at = Math.max(t, next.get(host) ?? 0);
      next.set(host, at + 1000 / rate);
      if (at > t) await new Promise((r) => setTimeout(r, at - t));
    },
  };
}
