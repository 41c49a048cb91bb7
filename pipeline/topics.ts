// The catalogue of every Kafka topic shelfwatch uses: name (with version), partitions, key, value schema,
// cleanup policy. `shelfwatch migrate` creates them; stages name topics only through this catalogue.
// A breaking change to a value schema is a new topic version (…v2), consumed side by side until drained.
import type { z } from 'zod';
import { CrawlRequest } from '../crawlers/crawl/crawl-request.ts';
import * as c from './contracts/index.ts';

export interface TopicSpec<S extends z.ZodType = z.ZodType> {
  /** Catalogue id, used in code and config. */
  readonly id: string;
  /** Base name without the deployment suffix. */
  readonly name: string;
  /** What the message key is; consumers rely on it for ordering per key and compaction. */
  readonly key: string;
  readonly value: S;
  readonly cleanup: 'delete' | 'compact';
  readonly partitions?: number;
  /** Extra topic configs (strings, as Kafka wants them). */
  readonly config?: Readonly<Record<string, string>>;
  readonly doc: string;
}

const spec = <S extends z.ZodType>(s: TopicSpec<S>): TopicSpec<S> => ({
  ...s,
  config: { 'cleanup.policy': s.cleanup, ...(s.cleanup === 'compact' ? { 'min.cleanable.dirty.ratio': '0.1' } : {}), ...s.config },
});

export const topics = {
  listingsIncoming: spec({
    id: 'listings_incoming',
    name: 'shelfwatch.listings.incoming.v1',
    key: 'platform:listing_id',
    value: c.ListingSnapshot,
    cleanup: 'delete',
    doc: 'Listing snapshots as crawlers (ours or anyone\'s) publish them; the ingest stage validates them.',
  }),
  listings: spec({
    id: 'listings',
    name: 'shelfwatch.listings.v1',
    key: 'platform:listing_id',
    value: c.ListingSnapshot,
    cleanup: 'delete',
    doc: 'Validated listing snapshots: input of the detect and sink stages.',
  }),
  livestreams: spec({
    id: 'livestreams',
    name: 'shelfwatch.livestreams.v1',
    key: 'platform:room_id',
    value: c.LivestreamSnapshot,
    cleanup: 'delete',
    doc: 'Livestream room samples.',
  }),
  alerts: spec({
    id: 'alerts',
    name: 'shelfwatch.alerts.v1',
    key: 'alert_id',
    value: c.Alert,
    cleanup: 'delete',
    doc: 'Findings of the detect stage, one message per alert; the key is the deterministic alert id.',
  }),
  certificates: spec({
    id: 'certificates',
    name: 'shelfwatch.ref.certificates.v1',
    key: 'certificate number',
    value: c.Certificate,
    cleanup: 'compact',
    partitions: 1,
    doc: 'CCC certificate register (compacted: the latest record per number; null value deletes).',
  }),
  licences: spec({
    id: 'licences',
    name: 'shelfwatch.ref.licences.v1',
    key: 'licence number',
    value: c.Licence,
    cleanup: 'compact',
    partitions: 1,
    doc: 'Production licence register (compacted).',
  }),
  recalls: spec({
    id: 'recalls',
    name: 'shelfwatch.ref.recalls.v1',
    key: 'recall_id',
    value: c.Recall,
    cleanup: 'compact',
    partitions: 1,
    doc: 'Recall notices (compacted).',
  }),
  prohibited: spec({
    id: 'prohibited',
    name: 'shelfwatch.ref.prohibited.v1',
    key: 'item_id',
    value: c.ProhibitedItem,
    cleanup: 'compact',
    partitions: 1,
    doc: 'Prohibited and restricted products (compacted).',
  }),
  crawlRequests: spec({
    id: 'crawl_requests',
    name: 'shelfwatch.crawl.requests.v1',
    key: 'host',
    value: CrawlRequest,
    cleanup: 'delete',
    config: { 'retention.ms': String(7 * 24 * 3600 * 1000) },
    doc: 'The distributed crawl frontier: URLs to fetch, keyed by host so one host stays with one worker of the crawler group.',
  }),
  deadLetters: spec({
    id: 'dead_letters',
    name: 'shelfwatch.dead-letters.v1',
    key: 'source topic:partition:offset',
    value: c.DeadLetter,
    cleanup: 'delete',
    // Room for a 1 MB original message base64-encoded with its envelope.
    config: { 'retention.ms': String(30 * 24 * 3600 * 1000), 'max.message.bytes': String(8 * 1024 * 1024) },
    doc: 'Messages a stage could not validate or handle, with reason and original bytes.',
  }),
} as const;

export const allTopics: readonly TopicSpec[] = Object.values(topics);

export function topicName(s: TopicSpec | string, suffix = ''): string {
  return (typeof s === 'string' ? s : s.name) + suffix;
}
