// Exposes the stages' metrics over HTTP for Prometheus (or curl): GET /metrics (text format), GET /healthz.
// Bound to 127.0.0.1 by default; started by `shelfwatch run` when runtime.metricsPort is set.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StageMetrics } from './metrics.ts';

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(sources: readonly { metrics: StageMetrics }[], opts: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(sources.map((s) => s.metrics.toPrometheus()).join(''));
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
