// The detect worker threads: run the detect engine (detect-engine.ts: detectors, reference views, price
// state) off the stage's thread, so consuming and producing (Kafka, on the stage's thread) and detecting use
// other cores. Started by the detect stage (detect.ts) with the stage's config; each follows the reference
// topics its detectors read with its own Kafka client (and seeds the price base), then answers batches.
// Roles (workerData.role):
// - 'all': every detector. Batches come from the stage.
// - 'main' and 'recall' (detect.recallThread): recall_match, the costliest detector, runs on a thread of its
//   own. 'main' decodes, validates and runs the other detectors, answers the stage, then passes the batch
//   on to 'recall' through `port` (a channel between the two): its bytes (transferred, not copied) and
//   each snapshot's recall query (title, brand, model, GTIN: recall_match's whole input). 'recall' matches
//   the queries, decodes the few snapshots that match (to build their alerts as the engine does) and
//   answers the stage too. So the stage gets two results per batch, merged in detect.ts.
// In (messages from the stage): batch {id, kind, bytes, ends}: the snapshots' JSON back to back in one
// transferred buffer, ends[i] = where message i ends; stop. Out: ready | failed {error} once after start;
// result per batch (BatchResult): counts[i] = alerts of message i (-1: it does not decode; its dead-letter
// reason and error are the next entry of `failed`, the runtime decoder's; the recall thread never says -1,
// it gets only what decoded), and alerts = [alert_id, alert JSON, ...] of every message in order (flat,
// because most snapshots have no alert: an array per message was most of the cost of sending results
// back); busyMs = the worker's event-loop busy time so far.
// After stop the worker stops following the reference topics and exits.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Config } from '../config.ts';
import { ListingSnapshot, LivestreamSnapshot } from '../contracts/index.ts';
import { detectorSettings } from '../../detectors/index.ts';
import { createRecallFinder, recallMatch, recallQueryOf } from '../../detectors/recall-match.ts';
import type { Subject } from '../../detectors/types.ts';
import { createLogger } from '../logger.ts';
import { createJsonDecoder } from '../runtime/validator.ts';
import { createDetectEngine, type EnginePart } from './detect-engine.ts';

export type WorkerRole = 'all' | 'main' | 'recall';
export interface DetectWorkerInit {
  config: Config;
  /** @default 'all' */
  role?: WorkerRole;
  /** 'main' and 'recall': their channel (transferred with workerData). */
  port?: MessagePort;
}
export type SnapshotKind = 'listing' | 'livestream';
export type ToDetectWorker = { type: 'batch'; id: number; kind: SnapshotKind; bytes: Uint8Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer> } | { type: 'stop' };
/**
 * From 'main' to 'recall': a batch as the stage sent it, with the recall queries of the snapshots that
 * decoded: at[j] = the message of query j, and its title, brand, model, GTIN at queries[4j..4j+4).
 */
interface RecallBatch {
  id: number;
  kind: SnapshotKind;
  bytes: Uint8Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  at: Int32Array<ArrayBuffer>;
  queries: (string | null)[];
}
export interface BatchResult {
  counts: Int32Array<ArrayBuffer>;
  alerts: string[];
  failed: { reason: string; error: string }[];
}
export type FromDetectWorker =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | ({ type: 'result'; id: number; detectorErrors: Record<string, number>; busyMs: number } & BatchResult);

const PARTS: Record<WorkerRole, EnginePart> = { all: 'all', main: 'without_recall', recall: 'recall' };

if (parentPort) {
  const parent = parentPort;
  const post = (m: FromDetectWorker, transfer: readonly ArrayBuffer[] = []) => parent.postMessage(m, transfer);
  const { config, role = 'all', port } = workerData as DetectWorkerInit;
  const logger = createLogger(config.log);
  let detectorErrors: Record<string, number> = {};
  const countError = (d: string) => void (detectorErrors[d] = (detectorErrors[d] ?? 0) + 1);
  const engine = createDetectEngine(config, logger, { part: PARTS[role], onDetectorError: countError });
  const decoders = { listing: createJsonDecoder(ListingSnapshot), livestream: createJsonDecoder(LivestreamSnapshot) };
  const subjectOf = (kind: SnapshotKind, value: unknown): Subject => (kind === 'listing' ? { kind, snapshot: value as ListingSnapshot } : { kind, snapshot: value as LivestreamSnapshot });
  const answer = (id: number, r: BatchResult) => {
    post({ type: 'result', id, ...r, detectorErrors, busyMs: performance.eventLoopUtilization().active }, [r.counts.buffer]);
    detectorErrors = {};
  };

  /** 'all' and 'main': decode, validate and detect a batch; 'main' passes it on to the recall thread. */
  const detectBatch = (m: Extract<ToDetectWorker, { type: 'batch' }>) => {
    const buf = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    const counts = new Int32Array(m.ends.length);
    const alerts: string[] = [];
    const failed: BatchResult['failed'] = [];
    const decode = decoders[m.kind];
    const at: number[] = [];
    const queries: (string | null)[] = [];
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
      const subject = subjectOf(m.kind, d.value);
      const found = engine.detect(subject);
      counts[i] = found.length;
      for (const a of found) alerts.push(a.alert_id, JSON.stringify(a));
      if (port) {
        const q = recallQueryOf(subject);
        if (q) {
          at.push(i);
          queries.push(q.title, q.brand ?? null, q.model ?? null, q.gtin ?? null);
        }
      }
    }
    answer(m.id, { counts, alerts, failed });
    if (port) {
      const next: RecallBatch = { id: m.id, kind: m.kind, bytes: m.bytes, ends: m.ends, at: Int32Array.from(at), queries };
      port.postMessage(next, [m.bytes.buffer, m.ends.buffer]);
    }
  };

  /**
   * 'recall': matches the queries; a snapshot with a match is decoded and detected as the engine does (its
   * alerts built from the whole snapshot), so only matching snapshots are parsed here.
   */
  const find = role === 'recall' ? createRecallFinder(detectorSettings(config.detect.detectors, recallMatch)) : undefined;
  const matchBatch = (m: RecallBatch) => {
    const buf = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    const counts = new Int32Array(m.ends.length);
    const alerts: string[] = [];
    const decode = decoders[m.kind];
    const q = m.queries;
    for (let j = 0; j < m.at.length; j++) {
      let matched: boolean;
      try {
        matched = find!({ title: q[4 * j]!, brand: q[4 * j + 1], model: q[4 * j + 2], gtin: q[4 * j + 3] }, engine.view).length > 0;
      } catch {
        matched = true; // the engine runs it again below, and reports the error as this detector's
      }
      if (!matched) continue;
      const i = m.at[j]!;
      const d = decode(buf, i === 0 ? 0 : m.ends[i - 1]!, m.ends[i]!);
      if (!d.ok) continue; // not when 'main' decoded it; 'main' reported it
      const found = engine.detect(subjectOf(m.kind, d.value));
      counts[i] = found.length;
      for (const a of found) alerts.push(a.alert_id, JSON.stringify(a));
    }
    answer(m.id, { counts, alerts, failed: [] });
  };

  parent.on('message', (m: ToDetectWorker) => {
    if (m.type === 'stop') {
      engine.stop().finally(() => {
        port?.close();
        parent.close();
      });
      return;
    }
    detectBatch(m);
  });
  if (role === 'recall') port!.on('message', matchBatch);

  engine.start().then(
    () => post({ type: 'ready' }),
    (err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
  );
}
