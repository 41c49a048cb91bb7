import { describe, expect, it } from 'vitest';
import { RetryableError, dlq, drop, isRetryable, ok } from '../../pipeline/runtime/result.ts';
import { StageMetrics } from '../../pipeline/runtime/metrics.ts';

describe('step results', () => {
  it('build tagged results', () => {
    expect(ok().kind).toBe('ok');
    expect(drop('duplicate')).toEqual({ kind: 'drop', reason: 'duplicate' });
    expect(dlq('bad_row', new Error('x')).kind).toBe('dlq');
  });
  it.each([
    [new RetryableError('down'), true],
    [Object.assign(new Error('net'), { retryable: true }), true],
    [new Error('bug'), false],
    ['text', false],
    [null, false],
  ])('isRetryable(%s) = %s', (err, expected) => {
    expect(isRetryable(err)).toBe(expected);
  });
});

describe('stage metrics', () => {
  it('renders every metric a stage must emit in Prometheus text', () => {
    const m = new StageMetrics('ingest');
    m.received = 10;
    m.sent = 7;
    m.count(m.dropped, 'tombstone');
    m.count(m.deadLettered, 'schema_mismatch', 2);
    m.count(m.errors, 'retryable');
    m.lag.set('t:0', 5);
    const text = m.toPrometheus();
    expect(text).toContain('shelfwatch_stage_received_total{stage="ingest"} 10');
    expect(text).toContain('shelfwatch_stage_sent_total{stage="ingest"} 7');
    expect(text).toContain('shelfwatch_stage_dropped_total{stage="ingest",reason="tombstone"} 1');
    expect(text).toContain('shelfwatch_stage_dead_lettered_total{stage="ingest",reason="schema_mismatch"} 2');
    expect(text).toContain('shelfwatch_stage_errors_total{stage="ingest",type="retryable"} 1');
    expect(text).toContain('shelfwatch_stage_lag{stage="ingest",partition="t:0"} 5');
    expect(m.totalLag()).toBe(5);
  });
});
