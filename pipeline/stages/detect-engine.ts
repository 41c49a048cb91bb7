// The detect stage's engine: the configured detectors (detectors/index.ts), their reference views (followed
// from the compacted reference topics, detectors/reference/follow.ts) and price_anomaly's state, turning one
// snapshot into its alerts. It runs wherever the stage puts it: on the detect worker thread
// (detect-worker.ts, the default) or on the stage's own thread (detect.workerThread false, tests, benches).
// In: snapshots. Out: validated Alerts, keyed by the deterministic alert_id.
// Determinism: alert_id = alertId(subject, detector, rule, evidence_key) and created_at = the snapshot's
// fetched_at, so replaying a topic produces byte-identical alerts (ReplacingMergeTree keeps one).
// A detector that throws is a bug in that detector: the error is reported (onDetectorError, counted by the
// stage as errors{type=detector_<name>}) and logged, and the other detectors' findings still go out.
import type { Config } from '../config.ts';
import { Alert, alertId, alertSubjectFromListing, alertSubjectFromLivestream, subjectKey, type AlertSubjectFields } from '../contracts/index.ts';
import { createDetectors, detectorSettings, type RunnableDetector } from '../../detectors/index.ts';
import { createCompactListingMemory } from '../../detectors/listing-memory.ts';
import { livestreamRisk } from '../../detectors/livestream-risk.ts';
import { recallMatch } from '../../detectors/recall-match.ts';
import { followReferenceTopics, type ReferenceFollower } from '../../detectors/reference/follow.ts';
import { createReferenceViews, REFERENCE_KINDS, type ReferenceViews } from '../../detectors/reference/views.ts';
import type { DetectorFinding, ReferenceView, Subject } from '../../detectors/types.ts';
import { createKafka, type KafkaHandle } from '../kafka.ts';
import type { Logger } from '../logger.ts';
import { compileValidator } from '../runtime/validator.ts';
import { priceStateFor, seedPriceHistory } from './price-history.ts';

/** The alerts for one subject: pure given the detectors and the views (used by the engine and by evals). */
export function alertsFor(subject: Subject, detectors: readonly RunnableDetector[], views: ReferenceViews, onError?: (detector: string, err: unknown) => void): Alert[] {
  const out: Alert[] = [];
  // Most snapshots have no finding: the alert subject is built on the first one.
  let base: AlertSubjectFields | undefined;
  let key = '';
  for (const d of detectors) {
    if (!d.definition.subjects.includes(subject.kind)) continue;
    let findings: DetectorFinding[];
    try {
      findings = d.run(subject, views.view);
    } catch (err) {
      onError?.(d.name, err);
      continue;
    }
    if (findings.length && !base) {
      base = subject.kind === 'listing' ? alertSubjectFromListing(subject.snapshot) : alertSubjectFromLivestream(subject.snapshot);
      key = subjectKey(subject.kind, subject.snapshot.platform, subject.kind === 'listing' ? subject.snapshot.listing_id : subject.snapshot.room_id);
    }
    for (const f of findings) {
      const { evidence_key, ...finding } = f;
      out.push({ ...base!, alert_id: alertId(key, d.name, f.rule_id, evidence_key), detector: d.name, ...finding });
    }
  }
  return out;
}

/** livestream_risk's listing memory in its compact form (detectors/listing-memory.ts), bounded as configured. */
function listingMemoryFor(config: Config) {
  const settings = detectorSettings(config.detect.detectors, livestreamRisk);
  return settings.enabled === false ? undefined : createCompactListingMemory(settings.maxListings);
}

/**
 * Which of the configured detectors an engine runs: 'all'; 'recall' (recall_match alone, following only the
 * recalls topic: the detect stage's recall thread); 'without_recall' (the others, following the other
 * reference topics: the detect worker beside a recall thread).
 */
export type EnginePart = 'all' | 'recall' | 'without_recall';

/** The config with the detectors outside `part` turned off (their reference topics are then not followed either). */
function configFor(config: Config, part: EnginePart): Config {
  if (part === 'all') return config;
  const detectors: Record<string, unknown> = {};
  for (const [name, settings] of Object.entries(config.detect.detectors)) {
    detectors[name] = (name === recallMatch.name) === (part === 'recall') ? settings : { ...(settings as object), enabled: false };
  }
  return { ...config, detect: { ...config.detect, detectors: detectors as Config['detect']['detectors'] } };
}

export interface DetectEngineDeps {
  /** Which detectors to run. @default 'all' */
  part?: EnginePart;
  /** Reference views to use instead of following the topics (tests, benchmarks, batch tools). */
  views?: ReferenceViews;
  kafka?: KafkaHandle;
  /** Called once per detector error (a detector threw, or its alert broke the contract). */
  onDetectorError?: (detector: string) => void;
}

export interface DetectEngine {
  readonly detectorNames: readonly string[];
  /** The reference data the detectors read (followed by start(), or the views given). */
  readonly view: ReferenceView;
  /**
   * Follows the reference topics (unless views were given) and seeds the price base from ClickHouse history;
   * resolves when the views hold what the topics held at start (detect.waitForReference) or on the timeout.
   */
  start(): Promise<void>;
  /** The snapshot's alerts, each valid against the wire contract. */
  detect(subject: Subject): Alert[];
  stop(): Promise<void>;
}

export function createDetectEngine(fullConfig: Config, logger: Logger, deps: DetectEngineDeps = {}): DetectEngine {
  const part = deps.part ?? 'all';
  const config = configFor(fullConfig, part);
  const log = logger.child({ component: 'stage', name: 'detect', ...(part === 'all' ? {} : { part }) });
  const views = deps.views ?? createReferenceViews();
  // price_anomaly's state lives here so start() can seed it from ClickHouse history (price-history.ts).
  const priceState = priceStateFor(config);
  const detectors = createDetectors(config.detect.detectors, { logger: log, priceState, listingMemory: listingMemoryFor(config) });
  let follower: ReferenceFollower | undefined;
  const lastErrorLog = new Map<string, number>();
  // The runtime's compiled accept-path: zod (which copies the whole alert) only for the rare alert it
  // cannot vouch for, and to word the error.
  const alertAccepted = compileValidator(Alert);

  const onError = (detector: string, err: unknown) => {
    deps.onDetectorError?.(detector);
    const now = Date.now();
    if (now - (lastErrorLog.get(detector) ?? 0) > 10_000) {
      lastErrorLog.set(detector, now);
      log.error({ detector, err }, 'detector threw; its findings for this snapshot are skipped (bug)');
    }
  };

  return {
    detectorNames: detectors.map((d) => d.name),
    view: views.view,
    async start() {
      log.info({ detectors: detectors.map((d) => d.name) }, 'detectors');
      // Runs beside the reference catch-up; bounded by detect.priceHistoryTimeoutMs and never throws.
      const seeded = priceState ? seedPriceHistory(config, priceState, log) : undefined;
      if (deps.views) return void (await seeded);
      const kafka = deps.kafka ?? createKafka(config.kafka, logger);
      const kinds = part === 'all' ? undefined : REFERENCE_KINDS.filter((k) => (k === 'recalls') === (part === 'recall'));
      follower = await followReferenceTopics(kafka, views, logger, { kinds });
      if (config.detect.waitForReference) {
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), config.detect.referenceReadyTimeoutMs).unref());
        if ((await Promise.race([follower.ready.then(() => 'ready' as const), timeout])) === 'timeout') {
          log.warn('reference views not caught up within referenceReadyTimeoutMs; detecting with what is loaded');
        }
      }
      await seeded;
    },
    detect(subject) {
      const alerts = alertsFor(subject, detectors, views, onError);
      for (let i = 0; i < alerts.length; i++) {
        const a = alerts[i]!;
        // Detectors are ours, but their text comes from pages: a finding that breaks the wire contract
        // (too long, bad field) must not reach the sink; count it as that detector's error.
        const parsed = alertAccepted(a) ? null : Alert.safeParse(a);
        if (parsed && !parsed.success) {
          onError(a.detector, new Error(`invalid alert from ${a.detector}/${a.rule_id}: ${parsed.error.issues.map((is) => `${is.path.join('.')}: ${is.message}`).join('; ')}`));
          alerts.splice(i--, 1);
        }
      }
      return alerts;
    },
    async stop() {
      await follower?.stop();
    },
  };
}
