// Stage `detect`: runs the configured detectors on every listing and livestream snapshot, against reference
// views built from the compacted reference topics, and publishes one Alert per finding on the alerts topic,
// keyed by the deterministic alert_id. The detection itself is the engine (detect-engine.ts).
// In: topics.listings, topics.livestreams. Out: topics.alerts.
// Where the engine runs (detect.workerThread):
// - true (default): on a worker thread (detect-worker.ts). This thread consumes and produces; the worker
//   decodes, validates (the runtime's decoder, same dead-letter reasons) and detects, so the two use two
//   cores. The worker holds the views and the price state, follows the reference topics with its own Kafka
//   client, and is restarted if it dies (the slice in flight is retried meanwhile: nothing is lost).
//   With detect.recallThread (default), recall_match runs on a second worker that the first passes each
//   batch on to (detect-worker.ts); each answers every batch and the two results are merged here.
// - false, or when deps.views is given (tests, benchmarks): on this thread, inputs validated by the runtime.
// Before consuming, start() waits until the views hold what the reference topics held at start
// (config.detect.waitForReference), so a restart does not briefly call every certificate forged.
import { MessageChannel, type Worker } from 'node:worker_threads';
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
import type { BatchResult, DetectWorkerInit, FromDetectWorker, SnapshotKind, ToDetectWorker, WorkerRole } from './detect-worker.ts';
import { detectorSettings } from '../../detectors/index.ts';
import { recallMatch } from '../../detectors/recall-match.ts';

export { alertsFor } from './detect-engine.ts';

export interface DetectStageDeps {
  /** Reference views to use instead of following the topics (tests, benchmarks, batch tools); runs on this thread. */
  views?: ReferenceViews;
  kafka?: KafkaHandle;
}

/** The running workers of a detect stage made by createDetectStage (none on the stage's thread or between workers). */
export function detectWorkersOf(stage: StageDefinition): readonly Worker[] {
  return workersOf.get(stage)?.() ?? [];
}
const workersOf = new WeakMap<StageDefinition, () => readonly Worker[]>();

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

/**
 * V8's young generation (MB, three semi-spaces) of the workers beside a recall thread, smaller than V8's 48:
 * the two workers hold one process's memory where one worker did (bench:detect, single rounds, heap growing
 * 20%: peak RSS 529 and 552 MB with V8's sizes, 472-516 with these; the ratio within the noise). The recall
 * worker allocates little (the queries it is passed); the main one mostly short-lived snapshots, which die
 * young either way. 'all' keeps V8's default.
 */
const YOUNG_GENERATION_MB: Record<WorkerRole, number | undefined> = { all: undefined, main: 24, recall: 8 };

/** The result of the many snapshots without an alert (the runtime only reads results). */
const NO_ALERTS: StepResult = Object.freeze(ok());

function workerStage(config: Config, logger: Logger): StageDefinition {
  const log = logger.child({ component: 'stage', name: 'detect' });
  const listingsTopic = topicName(topics.listings, config.kafka.topicSuffix);
  // The worker logs as this process does: 'auto' is decided here, where stderr may be a terminal.
  const format = config.log.format === 'auto' ? (process.stderr.isTTY ? 'pretty' : 'json') : config.log.format;
  const workerConfig: Config = { ...config, log: { ...config.log, format } };
  // recall_match on a thread of its own (detect.recallThread), when it runs at all.
  const roles: WorkerRole[] = config.detect.recallThread && detectorSettings(config.detect.detectors, recallMatch).enabled !== false ? ['main', 'recall'] : ['all'];
  let metrics: StageContext['metrics'] | undefined;
  /** The running workers, by role (empty between a crash and the next start). */
  let workers: Worker[] = [];
  let ready: Promise<Worker[]> | undefined;
  let stopping = false;
  let nextId = 0;
  /** Event-loop busy ms per role: of the current worker (from its results) and of the workers before it. */
  const busyMs = roles.map(() => 0);
  const busyOfPast = roles.map(() => 0);
  /** Per batch: the results of the workers so far (one per role), merged when all are in. */
  const pending = new Map<number, { results: (BatchResult | undefined)[]; got: number; resolve: (r: BatchResult) => void; reject: (e: Error) => void }>();

  const failPending = (why: string) => {
    for (const p of pending.values()) p.reject(new RetryableError(why));
    pending.clear();
  };

  /** Starts one worker per role; resolves when each one's views have caught up with its reference topics. */
  const spawn = (): Promise<Worker[]> => {
    const channel = roles.length > 1 ? new MessageChannel() : undefined;
    const ports = [channel?.port1, channel?.port2];
    const started = roles.map((role, r) => {
      const port = ports[r];
      const init: DetectWorkerInit = { config: workerConfig, role, ...(port ? { port } : {}) };
      const young = YOUNG_GENERATION_MB[role];
      return startWorker(new URL('./detect-worker.ts', import.meta.url), init, { transferList: port ? [port] : [], ...(young ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}) }).then((w) => watch(w, r));
    });
    return (ready = Promise.all(started).catch((err: unknown) => {
      for (const w of workers) void w.terminate();
      throw err;
    }));
  };

  /** Wires a worker of role index r; resolves once it is ready. */
  const watch = (w: Worker, r: number): Promise<Worker> =>
    new Promise<Worker>((resolve, reject) => {
      workers[r] = w;
      let started = false;
      w.on('message', (m: FromDetectWorker) => {
        if (m.type === 'ready') {
          started = true;
          resolve(w);
        } else if (m.type === 'failed') {
          reject(new Error(`detect worker (${roles[r]}) failed to start: ${m.error}`));
          void w.terminate();
        } else if (m.type === 'result') {
          for (const [d, n] of Object.entries(m.detectorErrors)) metrics?.count(metrics.errors, `detector_${d}`, n);
          busyMs[r] = m.busyMs;
          const p = pending.get(m.id);
          if (!p) return;
          p.results[r] = m;
          if (++p.got < roles.length) return;
          pending.delete(m.id);
          p.resolve(merged(p.results as BatchResult[]));
        }
      });
      w.on('error', (err) => log.error({ err, role: roles[r] }, 'detect worker failed'));
      w.on('exit', (code) => {
        // Its busy time stays counted (as of its last result) after it is gone.
        busyOfPast[r]! += busyMs[r]!;
        busyMs[r] = 0;
        // Before it was ready: whoever awaits the start hears of it (a failed start says why itself).
        reject(new Error(`detect worker (${roles[r]}) exited with code ${code} before it was ready`));
        if (workers[r] !== w) return;
        // The workers of a stage work as one (the main one passes batches to the recall one): when one is
        // gone, the others are stopped too and all are started again on the next batch.
        const others = workers.filter((x) => x !== w);
        workers = [];
        ready = undefined;
        for (const x of others) void x.terminate();
        if (stopping || !started) return;
        metrics?.count(metrics.errors, 'detect_worker_exit');
        log.error({ code, role: roles[r] }, 'detect worker exited; the workers are restarted on the next batch and the batches in flight are retried');
        failPending(`detect worker (${roles[r]}) exited with code ${code}`);
      });
    });

  const detect = async (ws: Worker[], kind: SnapshotKind, batch: readonly InputMessage<unknown>[]): Promise<BatchResult> => {
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
      pending.set(id, { results: roles.map(() => undefined), got: 0, resolve, reject });
      const msg: ToDetectWorker = { type: 'batch', id, kind, bytes, ends };
      // To the first worker ('all' or 'main'); 'main' passes the batch on to 'recall' itself.
      ws[0]!.postMessage(msg, [bytes.buffer, ends.buffer]);
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
      roles.forEach((role, r) => metrics!.busy.set(role === 'recall' ? 'recall_worker' : 'worker', () => busyOfPast[r]! + busyMs[r]!));
      await spawn();
    },
    async handle(batch): Promise<StepResult[]> {
      let ws: Worker[];
      try {
        ws = await (ready ?? spawn());
      } catch (err) {
        ready = undefined;
        throw new RetryableError(`detect worker not ready: ${(err as Error).message}`, { cause: err });
      }
      const { counts, alerts, failed } = await detect(ws, batch[0]?.topic === listingsTopic ? 'listing' : 'livestream', batch);
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
      await Promise.all(
        workers.map(async (w) => {
          const exited = new Promise<void>((r) => w.once('exit', () => r()));
          w.postMessage({ type: 'stop' } satisfies ToDetectWorker);
          const timer = setTimeout(() => void w.terminate(), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
  workersOf.set(stage, () => workers);
  return stage;
}

/**
 * One result from the results of a batch's workers (in role order): a message that did not decode is -1
 * (the first worker decides), otherwise its alerts from every worker, in that order.
 */
function merged(results: readonly BatchResult[]): BatchResult {
  if (results.length === 1) return results[0]!;
  const n = results[0]!.counts.length;
  const counts = new Int32Array(n);
  const alerts: string[] = [];
  const from = results.map(() => 0);
  for (let i = 0; i < n; i++) {
    if (results[0]!.counts[i]! < 0) {
      counts[i] = -1;
      continue;
    }
    for (let r = 0; r < results.length; r++) {
      const c = results[r]!.counts[i]!;
      if (c <= 0) continue;
      counts[i] = counts[i]! + c;
      const src = results[r]!.alerts;
      for (let k = from[r]!, end = k + 2 * c; k < end; k++) alerts.push(src[k]!);
      from[r]! += 2 * c;
    }
  }
  return { counts, alerts, failed: results[0]!.failed };
}
