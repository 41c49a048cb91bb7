// The detect worker thread: runs the detect engine (detect-engine.ts: detectors, reference views, price
// state) off the stage's thread, so consuming and producing (Kafka, on the stage's thread) and detecting use
// two cores. Started by the detect stage (detect.ts) with the stage's config; it follows the reference topics
// with its own Kafka client and seeds the price base itself, then answers batches.
// In (messages from the stage): batch {id, kind, bytes, ends}: the snapshots' JSON back to back in one
// transferred buffer, ends[i] = where message i ends; stop. Out: ready | failed {error} once after start;
// result {id, results, detectorErrors} per batch, results[i] = [alert_id, alert JSON, ...] for message i, or
// {reason, error} when it does not decode (the runtime's decoder: same dead-letter reasons). After stop the
// worker stops following the reference topics and exits.
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
export type MessageResult = string[] | { reason: string; error: string };
export type FromDetectWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; results: MessageResult[]; detectorErrors: Record<string, number> };

if (parentPort) {
  const port = parentPort;
  const post = (m: FromDetectWorker) => port.postMessage(m);
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
    const results: MessageResult[] = [];
    let start = 0;
    for (const end of m.ends) {
      const d = decoders[m.kind](buf.subarray(start, end));
      start = end;
      if (!d.ok) {
        results.push({ reason: d.reason, error: d.error });
        continue;
      }
      const alerts = engine.detect(m.kind === 'listing' ? { kind: 'listing', snapshot: d.value as ListingSnapshot } : { kind: 'livestream', snapshot: d.value as LivestreamSnapshot });
      const out: string[] = [];
      for (const a of alerts) out.push(a.alert_id, JSON.stringify(a));
      results.push(out);
    }
    post({ type: 'result', id: m.id, results, detectorErrors });
    detectorErrors = {};
  });

  engine.start().then(
    () => post({ type: 'ready' }),
    (err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
}
