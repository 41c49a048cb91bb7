// The detector contract. Every detector is one file exporting a `DetectorDefinition`:
//
//   export const certificateMismatch = defineDetector({
//     name: 'certificate_mismatch',                  // snake_case; the key in config.detect.detectors
//     subjects: ['listing'],                         // which snapshots it looks at
//     configSchema: z.strictObject({ ... }),         // every field defaulted; unknown keys rejected
//     create(config, deps) { ...; return (subject, refs) => findings; },
//   });
//
// and is listed once in detectors/index.ts (the registry). `create` runs once at stage start (compile
// lexicons, build per-detector state); the function it returns is called per snapshot and must be pure:
// no I/O, no clock (use the snapshot's fetched_at as "now"), no randomness, deterministic output for the
// same (subject, refs). Expected bad data (a malformed number on a page) is a finding, never a throw.
//
// A finding explains itself: rule_id (snake_case, stable: dashboards and evals key on it), score 0..1,
// severity, a one-line summary, evidence.observed (what the page/stream shows) and evidence.reference (what
// the reference data says), and evidence_key: the part of the deterministic alert id that distinguishes
// this problem (e.g. the revoked certificate number), so the same problem seen again on a replay or a
// re-crawl gives the same alert_id (pipeline/contracts/alert.ts alertId()) and a real change a new one.
// The detect stage (pipeline/stages/detect.ts) adds the detector name and wraps findings into Alerts.
import type { z } from 'zod';
import type { Certificate, Finding, Licence, ListingSnapshot, LivestreamSnapshot, ProhibitedItem, Recall, SubjectKind } from '../pipeline/contracts/index.ts';
import type { Logger } from '../pipeline/logger.ts';
import type { ListingMemory } from './livestream-risk.ts';
import type { PriceDetectorState } from './price-anomaly.ts';
import type { RecallMatchOptions } from './recall-index.ts';

/** What a detector is called on. Discriminated by `kind` so a detector can narrow with one check. */
export type Subject = { readonly kind: 'listing'; readonly snapshot: ListingSnapshot } | { readonly kind: 'livestream'; readonly snapshot: LivestreamSnapshot };

/** A Finding as a detector returns it: the stage fills in `detector`; `evidence_key` feeds alertId(). */
export type DetectorFinding = Omit<Finding, 'detector'> & {
  /** Distinguishes this problem within (subject, detector, rule): same problem -> same key. '' when one per rule. */
  readonly evidence_key: string;
};

/** Read-only, in-memory view of one compacted reference topic, keyed by referenceKey(). */
export interface KeyedView<T> {
  get(key: string): T | undefined;
  readonly size: number;
  values(): IterableIterator<T>;
  /** Increases on every change, so a detector may cache derived data (e.g. compiled keyword lists). */
  readonly version: number;
}

/** What a recall lookup is given: listing fields when present, else only the title (fields pulled from text). */
export interface RecallQuery {
  readonly title: string;
  readonly brand?: string | null;
  readonly model?: string | null;
  readonly gtin?: string | null;
}

/** One recall a listing matches, with the explanation an analyst reads. */
export interface RecallMatch {
  readonly recall: Recall;
  /** 0..1. */
  readonly score: number;
  /** Which signals matched: 'gtin', 'model', 'brand', 'title'. */
  readonly matched_on: readonly string[];
  /** The matched values and the title similarity, for the alert's evidence. */
  readonly explain: {
    readonly gtin?: string;
    readonly model?: { readonly listing: string; readonly recall: string };
    readonly brand?: { readonly listing: string; readonly recall: string };
    readonly title_similarity: number;
  };
}

/** The recalls view adds an inverted index; match() cost does not grow linearly with the number of recalls. */
export interface RecallView extends KeyedView<Recall> {
  match(query: RecallQuery, opts?: Partial<RecallMatchOptions>): RecallMatch[];
}

/** Reference data every detector may read (built by detectors/reference/views.ts from the compacted topics). */
export interface ReferenceView {
  readonly certificates: KeyedView<Certificate>;
  readonly licences: KeyedView<Licence>;
  readonly recalls: RecallView;
  readonly prohibited: KeyedView<ProhibitedItem>;
}

/**
 * Given to `create`. Detectors that keep state across snapshots (e.g. a price base) get it here, built by
 * the stage; add optional fields for such dependencies rather than doing I/O inside a detector. A state
 * left out is made by the detector itself (empty).
 */
export interface DetectorDeps {
  readonly logger: Logger;
  /** price_anomaly's price base, per-listing price memory and category forests (seed or inspect it). */
  readonly priceState?: PriceDetectorState;
  /** livestream_risk's memory of listings, to compare a room's product card with. */
  readonly listingMemory?: ListingMemory;
}

export type DetectFn = (subject: Subject, refs: ReferenceView) => DetectorFinding[];

// `any` in the object shape: each definition keeps its own precise config type through defineDetector().
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DetectorConfigSchema = z.ZodObject<any>;

export interface DetectorDefinition<S extends DetectorConfigSchema = DetectorConfigSchema> {
  /** snake_case, unique; the key in config and the `detector` field of findings and alerts. */
  readonly name: string;
  /** One line for --help and docs. */
  readonly description: string;
  readonly subjects: readonly SubjectKind[];
  /** Strict zod object; every field has a default, so `{}` is a valid config. */
  readonly configSchema: S;
  /** The rule ids this detector can emit (evals report per rule; docs list them). */
  readonly rules: readonly string[];
  create(config: z.infer<S>, deps: DetectorDeps): DetectFn;
}

/** Identity helper that keeps the config type of `create` tied to its schema. */
export function defineDetector<S extends DetectorConfigSchema>(def: DetectorDefinition<S>): DetectorDefinition<S> {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(def.name)) throw new Error(`detector name ${JSON.stringify(def.name)} must be snake_case`);
  return def;
}
