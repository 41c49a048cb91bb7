// Stage `detect`: runs the configured detectors on every listing and livestream snapshot, against reference
// views built from the compacted reference topics, and publishes one Alert per finding on the alerts topic,
// keyed by the deterministic alert_id. The detection itself is the engine (detect-engine.ts).
// In: topics.listings, topics.livestreams. Out: topics.alerts.
// Where the engine runs (detect.workerThread):
// - true (default): on a worker thread (detect-worker.ts). This thread consumes and produces; the worker
//   decodes, validates (the runtime's decoder, same dead-letter reasons) and detects, so the two use two
//   cores. The worker holds the views and the price state, follows the reference topics with its own Kafka
//   client, and is restarted if it dies (the slice in flight is retried meanwhile: nothing is lost).
// - false, or when deps.views is given (tests, benchmarks): on this thread, inputs validated by the runtime.
// Before consuming, start() waits until the views hold what the reference topics held at start
// (config.detect.waitForReference), so a restart does not briefly call every certificate forged.
import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import type { ListingSnapshot, LivestreamSnapshot } from '../contracts/index.ts';
import type { Subject } from '../../detectors/types.ts';
import type { KafkaHandle } from '../kafka.ts';
import type { Logger } from '../logger.ts';
import type { ReferenceViews } from '../../detectors/reference/views.ts';
import { dlq, ok, RetryableError, type OutputMessage, type StepResult } from '../runtime/result.ts';
import type { InputMessage, StageContext, StageDefinition } from '../runtime/stage.ts';
import { startWorker } from '../runtime/worker.ts';
import { topicName, topics } from '../topics.ts';
import { createDetectEngine } from './detect-engine.ts';
import type { BatchResult, DetectWorkerInit, FromDetectWorker, SnapshotKind, ToDetectWorker } from './detect-worker.ts';

export { alertsFor } from './detect-engine.ts';

export interface DetectStageDeps {
  /** Reference views to use instead of following the topics (tests, benchmarks, batch tools); runs on this thread. */
  views?: ReferenceViews;
  kafka?: KafkaHandle;
}

/** The running worker of a detect stage made by createDetectStage (undefined on the stage's thread or between workers). */
export function detectWorkerOf(stage: StageDefinition): Worker | undefined {
  return workers.get(stage)?.();
}
const workers = new WeakMap<StageDefinition, () => Worker | undefined>();

export function createDetectStage(config: Config, logger: Logger, deps: DetectStageDeps = {}): StageDefinition {
  return deps.views || !config.detect.workerThread ? inProcessStage(config, logger, deps) : workerStage(config, logger);
}

function inProcessStage(config: Config, logger: Logger, deps: DetectStageDeps): StageDefinition {
  let metrics: StageContext['metrics'] | undefined;
  const engine = createDetectEngine(config, logger, { ...deps, onDetectorError: (d) => metrics?.count(metrics.errors, `detector_${d}`) });
  const listingsTopic = topicName(topics.listings, config.kafka.topicSuffix);
  return {
    name: 'detect',
    inputs: [topics.listings, topics.livestreams],
    async start(ctx) {
      metrics = ctx.metrics;
      await engine.start();
    },
    handle(batch): StepResult[] {
      const isListing = batch[0]?.topic === listingsTopic;
      return batch.map((m) => {
        const subject: Subject = isListing ? { kind: 'listing', snapshot: m.value as ListingSnapshot } : { kind: 'livestream', snapshot: m.value as LivestreamSnapshot };
        return ok(engine.detect(subject).map((a): OutputMessage => ({ topic: topics.alerts, key: a.alert_id, value: a })));
      });
    },
    stop: () => engine.stop(),
  };
}

/** The result of the many snapshots without an alert (the runtime only reads results). */
const NO_ALERTS: StepResult = Object.freeze(ok());

function workerStage(config: Config, logger: Logger): StageDefinition {
  const log = logger.child({ component: 'stage', name: 'detect' });
  const listingsTopic = topicName(topics.listings, config.kafka.topicSuffix);
  // The worker logs as this process does: 'auto' is decided here, where stderr may be a terminal.
  const format = config.log.format === 'auto' ? (process.stderr.isTTY ? 'pretty' : 'json') : config.log.format;
  const init: DetectWorkerInit = { config: { ...config, log: { ...config.log, format } } };
  let metrics: StageContext['metrics'] | undefined;
  let worker: Worker | undefined;
  let ready: Promise<Worker> | undefined;
  let stopping = false;
  let nextId = 0;
  /** Event-loop busy ms of the current worker (from its results) and of the workers before it. */
  let workerBusyMs = 0;
  let busyOfPastWorkers = 0;
  const pending = new Map<number, { resolve: (r: BatchResult) => void; reject: (e: Error) => void }>();

  const failPending = (why: string) => {
    for (const p of pending.values()) p.reject(new RetryableError(why));
    pending.clear();
  };

  /** Starts the worker; resolves when its views have caught up with the reference topics. */
  const spawn = (): Promise<Worker> =>
    (ready = startWorker(new URL('./detect-worker.ts', import.meta.url), init).then(
      (w) =>
        new Promise<Worker>((resolve, reject) => {
          worker = w;
          let started = false;
          w.on('message', (m: FromDetectWorker) => {
            if (m.type === 'ready') {
              started = true;
              resolve(w);
            } else if (m.type === 'failed') {
              reject(new Error(`detect worker failed to start: ${m.error}`));
              void w.terminate();
            } else if (m.type === 'result') {
              for (const [d, n] of Object.entries(m.detectorErrors)) metrics?.count(metrics.errors, `detector_${d}`, n);
              workerBusyMs = m.busyMs;
              const p = pending.get(m.id);
              pending.delete(m.id);
              p?.resolve(m);
            }
          });
          w.on('error', (err) => log.error({ err }, 'detect worker failed'));
          w.on('exit', (code) => {
            // Its busy time stays counted (as of its last result) after it is gone.
            busyOfPastWorkers += workerBusyMs;
            workerBusyMs = 0;
            if (worker === w) {
              worker = undefined;
              ready = undefined;
            }
            // Before it was ready: whoever awaits the start hears of it (a failed start says why itself).
            reject(new Error(`detect worker exited with code ${code} before it was ready`));
            if (stopping || !started) return;
            metrics?.count(metrics.errors, 'detect_worker_exit');
            log.error({ code }, 'detect worker exited; it is restarted on the next batch and the batches in flight are retried');
            failPending(`detect worker exited with code ${code}`);
          });
        }),
    ));

  const detect = async (w: Worker, kind: SnapshotKind, batch: readonly InputMessage<unknown>[]): Promise<BatchResult> => {
    let total = 0;
    for (const m of batch) total += m.raw.length;
    const bytes = new Uint8Array(total);
    const ends = new Uint32Array(batch.length);
    let at = 0;
    for (let i = 0; i < batch.length; i++) {
      bytes.set(batch[i]!.raw, at);
      ends[i] = at += batch[i]!.raw.length;
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const msg: ToDetectWorker = { type: 'batch', id, kind, bytes, ends };
      w.postMessage(msg, [bytes.buffer, ends.buffer]);
    });
  };

  const stage: StageDefinition = {
    name: 'detect',
    inputs: [topics.listings, topics.livestreams],
    rawInputs: [topics.listings, topics.livestreams],
    maxBytesPerPartition: config.detect.fetchBytesPerPartition,
    consumers: config.detect.consumers,
    async start(ctx) {
      metrics = ctx.metrics;
      metrics.busy.set('worker', () => busyOfPastWorkers + workerBusyMs);
      await spawn();
    },
    async handle(batch): Promise<StepResult[]> {
      let w: Worker;
      try {
        w = await (ready ?? spawn());
      } catch (err) {
        ready = undefined;
        throw new RetryableError(`detect worker not ready: ${(err as Error).message}`, { cause: err });
      }
      const { counts, alerts, failed } = await detect(w, batch[0]?.topic === listingsTopic ? 'listing' : 'livestream', batch);
      const results: StepResult[] = [];
      let a = 0;
      let f = 0;
      for (let i = 0; i < counts.length; i++) {
        const n = counts[i]!;
        if (n < 0) {
          const why = failed[f++]!;
          results.push(dlq(why.reason, why.error));
        } else if (n === 0) results.push(NO_ALERTS);
        else {
          const outputs: OutputMessage[] = [];
          for (const end = a + 2 * n; a < end; a += 2) outputs.push({ topic: topics.alerts, key: alerts[a]!, raw: alerts[a + 1]! });
          results.push(ok(outputs));
        }
      }
      return results;
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.postMessage({ type: 'stop' } satisfies ToDetectWorker);
      const timer = setTimeout(() => void w.terminate(), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  workers.set(stage, () => worker);
  return stage;
}
