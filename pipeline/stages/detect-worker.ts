// The detect worker thread: runs the detect engine (detect-engine.ts: detectors, reference views, price
// state) off the stage's thread, so consuming and producing (Kafka, on the stage's thread) and detecting use
// two cores. Started by the detect stage (detect.ts) with the stage's config; it follows the reference topics
// with its own Kafka client and seeds the price base itself, then answers batches.
// In (messages from the stage): batch {id, kind, bytes, ends}: the snapshots' JSON back to back in one
// transferred buffer, ends[i] = where message i ends; stop. Out: ready | failed {error} once after start;
// result per batch (BatchResult): counts[i] = alerts of message i (-1: it does not decode; its dead-letter
// reason and error are the next entry of `failed`, the runtime decoder's), and alerts = [alert_id, alert
// JSON, ...] of every message in order (flat, because most snapshots have no alert: an array per message
// was most of the cost of sending results back); busyMs = the worker's event-loop busy time so far.
// After stop the worker stops following the reference topics and exits.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.ts';
import { ListingSnapshot, LivestreamSnapshot } from '../contracts/index.ts';
import { createLogger } from '../logger.ts';
import { createJsonDecoder } from '../runtime/validator.ts';
import { createDetectEngine } from './detect-engine.ts';

export interface DetectWorkerInit {
  config: Config;
}
export type SnapshotKind = 'listing' | 'livestream';
export type ToDetectWorker = { type: 'batch'; id: number; kind: SnapshotKind; bytes: Uint8Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer> } | { type: 'stop' };
export interface BatchResult {
  counts: Int32Array<ArrayBuffer>;
  alerts: string[];
  failed: { reason: string; error: string }[];
}
export type FromDetectWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | ({ type: 'result'; id: number; detectorErrors: Record<string, number>; busyMs: number } & BatchResult);

if (parentPort) {
  const port = parentPort;
  const post = (m: FromDetectWorker, transfer: readonly ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const { config } = workerData as DetectWorkerInit;
  const logger = createLogger(config.log);
  let detectorErrors: Record<string, number> = {};
  const engine = createDetectEngine(config, logger, { onDetectorError: (d) => void (detectorErrors[d] = (detectorErrors[d] ?? 0) + 1) });
  const decoders = { listing: createJsonDecoder(ListingSnapshot), livestream: createJsonDecoder(LivestreamSnapshot) };

  port.on('message', (m: ToDetectWorker) => {
    if (m.type === 'stop') {
      engine.stop().finally(() => port.close());
      return;
    }
    const buf = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    const counts = new Int32Array(m.ends.length);
    const alerts: string[] = [];
    const failed: BatchResult['failed'] = [];
    const decode = decoders[m.kind];
    let start = 0;
    for (let i = 0; i < m.ends.length; i++) {
      const end = m.ends[i]!;
      const d = decode(buf, start, end);
      start = end;
      if (!d.ok) {
        counts[i] = -1;
        failed.push({ reason: d.reason, error: d.error });
        continue;
      }
      const found = engine.detect(m.kind === 'listing' ? { kind: 'listing', snapshot: d.value as ListingSnapshot } : { kind: 'livestream', snapshot: d.value as LivestreamSnapshot });
      counts[i] = found.length;
      for (const a of found) alerts.push(a.alert_id, JSON.stringify(a));
    }
    const busyMs = performance.eventLoopUtilization().active;
    post({ type: 'result', id: m.id, counts, alerts, failed, detectorErrors, busyMs }, [counts.buffer]);
    detectorErrors = {};
  });

  engine.start().then(
    () => post({ type: 'ready' }),
    (err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
}
