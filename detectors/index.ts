// The detector registry: every detector shelfwatch can run, by name. Adding a detector = one import and one
// entry below. Config (config.detect.detectors) is validated against this list: an unknown name is an error
// naming the known ones, and each detector's own strict configSchema checks its settings.
// In: nothing. Out: DETECTORS, detectorsConfigSchema, createDetectors().
import { z } from 'zod';
import { certificateMismatch } from './certificate-mismatch.ts';
import { livestreamRisk } from './livestream-risk.ts';
import { priceAnomaly } from './price-anomaly.ts';
import { prohibitedItemDetector } from './prohibited.ts';
import { recallMatch } from './recall-match.ts';
import { threeNo } from './three-no.ts';
import type { DetectFn, DetectorConfigSchema, DetectorDefinition, DetectorDeps } from './types.ts';

/** Name -> definition. Keep sorted by name. */
export const DETECTORS: Readonly<Record<string, DetectorDefinition>> = Object.freeze(
  byName([
    certificateMismatch as DetectorDefinition,
    livestreamRisk as DetectorDefinition,
    priceAnomaly as DetectorDefinition,
    prohibitedItemDetector as DetectorDefinition,
    recallMatch as DetectorDefinition,
    threeNo as DetectorDefinition,
  ]),
);

function byName(defs: readonly DetectorDefinition[]): Record<string, DetectorDefinition> {
  const out: Record<string, DetectorDefinition> = {};
  for (const d of defs) {
    if (out[d.name]) throw new Error(`detector ${d.name} registered twice`);
    out[d.name] = d;
  }
  return out;
}

/**
 * Config of the detectors: { <name>: { enabled?: boolean, ...that detector's settings } }. A detector not
 * mentioned runs with its defaults; `enabled: false` turns it off. Unknown names are rejected (strict).
 */
export function detectorsConfigSchema(defs: Readonly<Record<string, DetectorDefinition>> = DETECTORS) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, d] of Object.entries(defs)) {
    shape[name] = d.configSchema.extend({ enabled: z.boolean().default(true) }).strict().prefault({});
  }
  return z.strictObject(shape);
}

/** config.detect: which detectors run with which settings, and how the stage waits for reference data. */
export const detectConfigSchema = z.strictObject({
  /** Per detector: { enabled, ...settings }. Unknown detector names are rejected. @default all enabled with defaults */
  detectors: detectorsConfigSchema().prefault({}),
  /**
   * Run the detectors on a worker thread: the stage's thread consumes and produces, the worker decodes and
   * detects, so the stage uses two cores (bench:detect). false = on the stage's thread. @default true
   */
  workerThread: z.boolean().default(true),
  /**
   * With the worker thread: run recall_match (the costliest detector) on a thread of its own beside it. The
   * worker passes each snapshot's title, brand, model and GTIN on, so nothing is parsed twice; the stage
   * then uses three cores. false = recall_match on the worker with the others. @default true
   */
  recallThread: z.boolean().default(true),
  /**
   * Bytes one Kafka fetch takes from a partition of the snapshot topics, with the worker thread (on the
   * stage's thread the runtime's 8 MiB applies). Larger fetches hold more memory; smaller ones leave the
   * worker waiting between fetches. bench:detect, 3 rounds: 8 MiB ratio 0.61, peak RSS 589 MB; 2 MiB 0.75,
   * 524 MB; 1 MiB 0.56, 549 MB. @default 2097152
   */
  fetchBytesPerPartition: z.number().int().min(64 * 1024).default(2 * 1024 * 1024),
  /**
   * Kafka consumers of the detect stage (one group), with the worker thread. kafkajs fetches again only when
   * every batch of a consumer's last fetch is done, so with one consumer the worker idles at each fetch; with
   * one per partition of the snapshot topics, one fetches while the worker detects the others' slices.
   * Consumers beyond the partition count stay idle. @default 3 (the default partition count)
   */
  consumers: z.number().int().min(1).max(64).default(3),
  /** Wait until the reference views hold what the reference topics held at start before consuming. @default true */
  waitForReference: z.boolean().default(true),
  /** Give up waiting (and consume anyway, with a warning) after this long, ms. @default 300000 */
  referenceReadyTimeoutMs: z.number().int().min(0).default(300_000),
  /**
   * Seed price_anomaly's price base at start from ClickHouse's price_base_daily over this many days (CNY), so a
   * restart or a small market does not wait for minCount prices per product to stream past. 0 = off. @default 28
   */
  priceHistoryDays: z.number().int().min(0).max(3650).default(28),
  /** Give up loading the price history (and detect from the stream alone, with a warning) after this long, ms. @default 15000 */
  priceHistoryTimeoutMs: z.number().int().min(0).default(15_000),
});
export type DetectConfig = z.infer<typeof detectConfigSchema>;

/** Parsed (or raw) config.detect.detectors: name -> { enabled?, ...settings }. */
export type DetectorsConfig = Readonly<Record<string, unknown>>;

export interface RunnableDetector {
  readonly name: string;
  readonly definition: DetectorDefinition;
  readonly run: DetectFn;
}

/**
 * One detector's settings from config.detect.detectors, defaults filled, with `enabled` (undefined = on):
 * for code outside the detector that sizes or explains its state (the stage, the demo).
 */
export function detectorSettings<S extends DetectorConfigSchema>(config: DetectorsConfig, def: DetectorDefinition<S>): z.infer<S> & { enabled?: boolean } {
  return def.configSchema.loose().parse(config[def.name] ?? {}) as z.infer<S> & { enabled?: boolean };
}

/** Builds the enabled detectors from a parsed config (see detectorsConfigSchema). */
export function createDetectors(config: DetectorsConfig, deps: DetectorDeps, defs: Readonly<Record<string, DetectorDefinition>> = DETECTORS): RunnableDetector[] {
  const unknown = Object.keys(config).filter((n) => !defs[n]);
  if (unknown.length) throw new Error(`unknown detector(s) ${unknown.join(', ')}; known: ${Object.keys(defs).join(', ') || '(none)'}`);
  const out: RunnableDetector[] = [];
  for (const [name, definition] of Object.entries(defs)) {
    const { enabled, ...settings } = definition.configSchema.extend({ enabled: z.boolean().default(true) }).strict().parse(config[name] ?? {}) as { enabled: boolean } & Record<string, unknown>;
    if (!enabled) continue;
    out.push({ name, definition, run: definition.create(settings, { ...deps, logger: deps.logger.child({ component: 'detector', name }) }) });
  }
  return out;
}
