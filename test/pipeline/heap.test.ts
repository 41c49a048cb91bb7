// The heap policy `shelfwatch run` applies (pipeline/runtime/heap.ts): with a stage's shape of memory (a large
// long-lived state, a stream of promoted short-lived messages) the heap stays near the state instead of
// growing to several times it. Measured in child processes, V8's default against the configured default.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../pipeline/config.ts';

const CHURN = resolve(import.meta.dirname, '../fixtures/heap-churn.ts');
const peakMb = (percent: number): number =>
  (JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', CHURN, String(percent)], { encoding: 'utf8' })) as { peakMb: number }).peakMb;

describe('runtime.heapGrowingPercent', () => {
  it('keeps the peak heap well below what V8 reaches by default', () => {
    const percent = parseConfig({}).runtime.heapGrowingPercent;
    expect(percent).toBeGreaterThan(0);
    const byDefault = peakMb(0);
    const withPolicy = peakMb(percent);
    expect(withPolicy).toBeLessThan(byDefault * 0.7);
  }, 60_000);

  it('is validated: a negative percentage names the field', () => {
    expect(() => parseConfig({ runtime: { heapGrowingPercent: -1 } })).toThrow(/runtime\.heapGrowingPercent/);
  });
});
