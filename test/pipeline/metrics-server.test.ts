import { afterEach, describe, expect, it } from 'vitest';
import { StageMetrics } from '../../pipeline/runtime/metrics.ts';
import { startMetricsServer, type MetricsServer } from '../../pipeline/runtime/metrics-server.ts';

let server: MetricsServer | undefined;
afterEach(async () => server?.close());

describe('metrics endpoint', () => {
  it('serves every stage in Prometheus text and answers health checks', async () => {
    const a = new StageMetrics('ingest');
    a.received = 3;
    const b = new StageMetrics('sink_clickhouse');
    b.count(b.deadLettered, 'clickhouse_rejected_row');
    server = await startMetricsServer([{ metrics: a }, { metrics: b }], { host: '127.0.0.1', port: 0 });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('shelfwatch_stage_received_total{stage="ingest"} 3');
    expect(text).toContain('shelfwatch_stage_dead_lettered_total{stage="sink_clickhouse",reason="clickhouse_rejected_row"} 1');
    // A stage's own thread by name; the main thread once, for the process.
    b.busy.set('worker', () => 1500);
    const again = await (await fetch(`${server.url}/metrics`)).text();
    expect(again).toContain('shelfwatch_stage_busy_seconds_total{stage="sink_clickhouse",thread="worker"} 1.500');
    expect(Number(/^shelfwatch_process_busy_seconds_total\{thread="main"\} ([\d.]+)$/m.exec(again)?.[1])).toBeGreaterThan(0);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, stages: ['ingest', 'sink_clickhouse'] });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
