// Exposes the stages' metrics over HTTP for Prometheus (or curl): GET /metrics (text format, with the busy
// seconds of the process's main thread), GET /healthz.
// Bound to 127.0.0.1 by default; started by `shelfwatch run` when runtime.metricsPort is set.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { StageMetrics } from './metrics.ts';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(sources: readonly { metrics: StageMetrics }[], opts: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      // The main thread is shared by the process's stages: its busy time is the process's, not a stage's.
      const main = `shelfwatch_process_busy_seconds_total{thread="main"} ${(performance.eventLoopUtilization().active / 1000).toFixed(3)}\n`;
      res.end(sources.map((s) => s.metrics.toPrometheus()).join('') + main);
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, stages: sources.map((s) => s.metrics.stage) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
