// Shared check (style.md §8): every stage emits the same metrics: received, sent, dropped{reason},
// dead_lettered{reason}, errors{type}, lag per partition, in its snapshot and in the Prometheus text.
import { expect } from 'vitest';
import type { StageMetrics } from '../../pipeline/runtime/metrics.ts';

export function expectStandardMetrics(metrics: StageMetrics): void {
  const snap = metrics.snapshot();
  expect(Object.keys(snap).sort()).toEqual(['deadLettered', 'dropped', 'errors', 'lag', 'received', 'resolved', 'sent', 'stage'].sort());
  expect(snap.received).toBeGreaterThan(0);
  expect(Object.keys(snap.lag).length).toBeGreaterThan(0);
  const text = metrics.toPrometheus();
  for (const name of ['received_total', 'sent_total', 'resolved_total', 'lag']) {
    expect(text).toMatch(new RegExp(`^shelfwatch_stage_${name}\\{stage="${snap.stage}"`, 'm'));
  }
}
