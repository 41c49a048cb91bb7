// Pure mappings between the wire contracts and ClickHouse rows (JSONEachRow objects), both ways, so what is
// written can be read back equal. In: validated contract values / rows as the server returns them.
// Out: rows for client.insert / contract values.
// Column conventions (see migrations/): nested objects flattened with a prefix (seller.name -> seller_name);
// a timestamp T is `T DateTime('UTC')` as 'YYYY-MM-DD hh:mm:ss' text plus `T_ms UInt16` (no DateTime64 on
// 18.16); attributes as parallel key/value arrays; alert evidence as JSON text; prices Float64.
// `ingested_at` is left to the server's DEFAULT now() (the client names the inserted columns so 18.16 applies it).
import type { Alert, DeadLetter, ListingSnapshot, LivestreamSnapshot } from '../contracts/index.ts';

export const TABLES = {
  listing_snapshots: 'listing_snapshots',
  livestream_snapshots: 'livestream_snapshots',
  alerts: 'alerts',
  dead_letters: 'dead_letters',
} as const;

/** ISO '2026-11-01T08:30:00.123Z' -> ['2026-11-01 08:30:00', 123]. */
export function toDateTimeParts(iso: string): [string, number] {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,3})\d*)?Z$/.exec(iso);
  if (!m) throw new RangeError(`expected an ISO-8601 UTC timestamp, got ${JSON.stringify(iso).slice(0, 60)}`);
  return [`${m[1]} ${m[2]}`, m[3] ? Number(m[3].padEnd(3, '0')) : 0];
}

/** ['2026-11-01 08:30:00', 123] -> '2026-11-01T08:30:00.123Z'. */
export function fromDateTimeParts(dateTime: string, ms: number | string): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(dateTime)) throw new RangeError(`expected 'YYYY-MM-DD hh:mm:ss', got ${JSON.stringify(dateTime).slice(0, 60)}`);
  return `${dateTime.replace(' ', 'T')}.${String(Number(ms)).padStart(3, '0')}Z`;
}

/** Numbers from JSONEachRow (64-bit integers arrive quoted). */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export type Row = Record<string, unknown>;

// ---- listing_snapshots ---------------------------------------------------------------------------------

export function listingToRow(s: ListingSnapshot): Row {
  const [fetchedAt, fetchedAtMs] = toDateTimeParts(s.fetched_at);
  const attrs = Object.entries(s.attributes);
  return {
    snapshot_id: s.snapshot_id,
    platform: s.platform,
    listing_id: s.listing_id,
    url: s.url,
    fetched_at: fetchedAt,
    fetched_at_ms: fetchedAtMs,
    http_status: s.http_status,
    content_hash: s.content_hash,
    crawler_kind: s.crawler_kind,
    title: s.title,
    price: s.price,
    currency: s.currency,
    original_price: s.original_price,
    price_text: s.price_text,
    brand: s.brand,
    model: s.model,
    category: s.category,
    gtin: s.gtin,
    ccc_numbers: s.ccc_numbers,
    licence_numbers: s.licence_numbers,
    seller_id: s.seller.seller_id,
    seller_name: s.seller.name,
    seller_credit_code: s.seller.credit_code,
    seller_region_code: s.seller.region_code,
    seller_address: s.seller.address,
    producer_name: s.producer.name,
    producer_address: s.producer.address,
    attribute_keys: attrs.map(([k]) => k),
    attribute_values: attrs.map(([, v]) => v),
    images: s.images,
    schema_version: s.schema_version,
  };
}

/** JSON text of a field for a JSONEachRow line; `undefined` marks the line for the slow path (its key is omitted there). */
let missingField = false;
const field = (x: unknown): string => {
  if (x === undefined) {
    missingField = true;
    return '';
  }
  return JSON.stringify(x);
};

/**
 * The JSONEachRow line of listingToRow(s) (without the newline), built without the row object: the same text
 * as JSON.stringify(listingToRow(s)) (test/clickhouse/rows-line.test.ts), so either may be used. Why: the
 * sink serializes every snapshot it writes; the row object and its arrays were most of its garbage.
 */
export function listingToLine(s: ListingSnapshot): string {
  const [fetchedAt, fetchedAtMs] = toDateTimeParts(s.fetched_at);
  const keys = Object.keys(s.attributes);
  const values = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) values[i] = s.attributes[keys[i]!]!;
  const seller = s.seller;
  const producer = s.producer;
  missingField = false;
  const line =
    '{"snapshot_id":' + field(s.snapshot_id) +
    ',"platform":' + field(s.platform) +
    ',"listing_id":' + field(s.listing_id) +
    ',"url":' + field(s.url) +
    ',"fetched_at":' + field(fetchedAt) +
    ',"fetched_at_ms":' + field(fetchedAtMs) +
    ',"http_status":' + field(s.http_status) +
    ',"content_hash":' + field(s.content_hash) +
    ',"crawler_kind":' + field(s.crawler_kind) +
    ',"title":' + field(s.title) +
    ',"price":' + field(s.price) +
    ',"currency":' + field(s.currency) +
    ',"original_price":' + field(s.original_price) +
    ',"price_text":' + field(s.price_text) +
    ',"brand":' + field(s.brand) +
    ',"model":' + field(s.model) +
    ',"category":' + field(s.category) +
    ',"gtin":' + field(s.gtin) +
    ',"ccc_numbers":' + field(s.ccc_numbers) +
    ',"licence_numbers":' + field(s.licence_numbers) +
    ',"seller_id":' + field(seller.seller_id) +
    ',"seller_name":' + field(seller.name) +
    ',"seller_credit_code":' + field(seller.credit_code) +
    ',"seller_region_code":' + field(seller.region_code) +
    ',"seller_address":' + field(seller.address) +
    ',"producer_name":' + field(producer.name) +
    ',"producer_address":' + field(producer.address) +
    ',"attribute_keys":' + JSON.stringify(keys) +
    ',"attribute_values":' + JSON.stringify(values) +
    ',"images":' + field(s.images) +
    ',"schema_version":' + field(s.schema_version) +
    '}';
  return missingField ? JSON.stringify(listingToRow(s)) : line;
}

/** The columns of listingToRow, in its order (what the sink's INSERTs name; ingested_at is the server's). */
export const LISTING_COLUMNS: readonly string[] = [
  'snapshot_id', 'platform', 'listing_id', 'url', 'fetched_at', 'fetched_at_ms', 'http_status', 'content_hash', 'crawler_kind',
  'title', 'price', 'currency', 'original_price', 'price_text', 'brand', 'model', 'category', 'gtin', 'ccc_numbers',
  'licence_numbers', 'seller_id', 'seller_name', 'seller_credit_code', 'seller_region_code', 'seller_address',
  'producer_name', 'producer_address', 'attribute_keys', 'attribute_values', 'images', 'schema_version',
];

export function listingFromRow(r: Row): ListingSnapshot {
  const keys = strs(r.attribute_keys);
  const values = strs(r.attribute_values);
  return {
    schema_version: 1,
    snapshot_id: str(r.snapshot_id),
    platform: str(r.platform),
    listing_id: str(r.listing_id),
    url: str(r.url),
    fetched_at: fromDateTimeParts(str(r.fetched_at), num(r.fetched_at_ms)),
    http_status: num(r.http_status),
    content_hash: str(r.content_hash),
    crawler_kind: str(r.crawler_kind) as ListingSnapshot['crawler_kind'],
    title: str(r.title),
    price: numOrNull(r.price),
    currency: strOrNull(r.currency),
    original_price: numOrNull(r.original_price),
    price_text: strOrNull(r.price_text),
    brand: strOrNull(r.brand),
    model: strOrNull(r.model),
    category: strOrNull(r.category),
    gtin: strOrNull(r.gtin),
    ccc_numbers: strs(r.ccc_numbers),
    licence_numbers: strs(r.licence_numbers),
    seller: {
      seller_id: str(r.seller_id),
      name: str(r.seller_name),
      credit_code: strOrNull(r.seller_credit_code),
      region_code: strOrNull(r.seller_region_code),
      address: strOrNull(r.seller_address),
    },
    producer: { name: strOrNull(r.producer_name), address: strOrNull(r.producer_address) },
    attributes: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
    images: strs(r.images),
  };
}

// ---- livestream_snapshots ------------------------------------------------------------------------------

export function livestreamToRow(s: LivestreamSnapshot): Row {
  const [fetchedAt, fetchedAtMs] = toDateTimeParts(s.fetched_at);
  const at = s.transcript.map((t) => toDateTimeParts(t.at));
  const p = s.product;
  return {
    snapshot_id: s.snapshot_id,
    platform: s.platform,
    room_id: s.room_id,
    url: s.url,
    fetched_at: fetchedAt,
    fetched_at_ms: fetchedAtMs,
    sampled_seq: s.sampled_seq,
    host_id: s.host.host_id,
    host_name: s.host.name,
    host_seller_id: s.host.seller_id,
    viewer_count: s.viewer_count,
    has_product: p ? 1 : 0,
    product_listing_id: p?.listing_id ?? null,
    product_title: p?.title ?? '',
    product_price: p?.price ?? null,
    product_currency: p?.currency ?? null,
    product_claimed_price_text: p?.claimed_price_text ?? null,
    product_claimed_discount: p?.claimed_discount ?? null,
    product_ccc_numbers: p?.ccc_numbers ?? [],
    product_brand: p?.brand ?? '',
    product_model: p?.model ?? null,
    transcript_at: at.map(([d]) => d),
    transcript_at_ms: at.map(([, ms]) => ms),
    transcript_text: s.transcript.map((t) => t.text),
    content_hash: s.content_hash,
    crawler_kind: s.crawler_kind,
    schema_version: s.schema_version,
  };
}

export function livestreamFromRow(r: Row): LivestreamSnapshot {
  const at = strs(r.transcript_at);
  const atMs = Array.isArray(r.transcript_at_ms) ? r.transcript_at_ms.map(num) : [];
  const text = strs(r.transcript_text);
  return {
    schema_version: 1,
    snapshot_id: str(r.snapshot_id),
    platform: str(r.platform),
    room_id: str(r.room_id),
    url: str(r.url),
    fetched_at: fromDateTimeParts(str(r.fetched_at), num(r.fetched_at_ms)),
    sampled_seq: num(r.sampled_seq),
    host: { host_id: str(r.host_id), name: str(r.host_name), seller_id: strOrNull(r.host_seller_id) },
    viewer_count: numOrNull(r.viewer_count),
    product:
      num(r.has_product) === 1
        ? {
            listing_id: strOrNull(r.product_listing_id),
            title: str(r.product_title),
            price: numOrNull(r.product_price),
            currency: strOrNull(r.product_currency),
            claimed_price_text: strOrNull(r.product_claimed_price_text),
            claimed_discount: strOrNull(r.product_claimed_discount),
            ccc_numbers: strs(r.product_ccc_numbers),
            brand: str(r.product_brand),
            model: strOrNull(r.product_model),
          }
        : null,
    transcript: at.map((d, i) => ({ at: fromDateTimeParts(d, atMs[i] ?? 0), text: text[i] ?? '' })),
    content_hash: str(r.content_hash),
    crawler_kind: str(r.crawler_kind) as LivestreamSnapshot['crawler_kind'],
  };
}

// ---- alerts --------------------------------------------------------------------------------------------

export function alertToRow(a: Alert): Row {
  const [createdAt, createdAtMs] = toDateTimeParts(a.created_at);
  const [fetchedAt, fetchedAtMs] = toDateTimeParts(a.fetched_at);
  return {
    alert_id: a.alert_id,
    created_at: createdAt,
    created_at_ms: createdAtMs,
    subject_kind: a.subject_kind,
    subject_id: a.subject_id,
    snapshot_id: a.snapshot_id,
    url: a.url,
    content_hash: a.content_hash,
    fetched_at: fetchedAt,
    fetched_at_ms: fetchedAtMs,
    platform: a.platform,
    seller_id: a.seller_id,
    seller_credit_code: a.seller_credit_code,
    region_code: a.region_code,
    category: a.category,
    detector: a.detector,
    rule_id: a.rule_id,
    score: a.score,
    severity: a.severity,
    summary: a.summary,
    evidence_observed: JSON.stringify(a.evidence.observed),
    evidence_reference: JSON.stringify(a.evidence.reference),
    schema_version: a.schema_version,
  };
}

export function alertFromRow(r: Row): Alert {
  return {
    schema_version: 1,
    alert_id: str(r.alert_id),
    created_at: fromDateTimeParts(str(r.created_at), num(r.created_at_ms)),
    subject_kind: str(r.subject_kind) as Alert['subject_kind'],
    subject_id: str(r.subject_id),
    snapshot_id: str(r.snapshot_id),
    url: str(r.url),
    content_hash: str(r.content_hash),
    fetched_at: fromDateTimeParts(str(r.fetched_at), num(r.fetched_at_ms)),
    platform: str(r.platform),
    seller_id: str(r.seller_id),
    seller_credit_code: strOrNull(r.seller_credit_code),
    region_code: strOrNull(r.region_code),
    category: strOrNull(r.category),
    detector: str(r.detector),
    rule_id: str(r.rule_id),
    score: num(r.score),
    severity: str(r.severity) as Alert['severity'],
    summary: str(r.summary),
    evidence: {
      observed: JSON.parse(str(r.evidence_observed)) as Alert['evidence']['observed'],
      reference: JSON.parse(str(r.evidence_reference)) as Alert['evidence']['reference'],
    },
  };
}

// ---- dead_letters --------------------------------------------------------------------------------------

export function deadLetterToRow(d: DeadLetter): Row {
  const [ts, tsMs] = toDateTimeParts(d.source.timestamp);
  const [failedAt, failedAtMs] = toDateTimeParts(d.failed_at);
  return {
    dead_letter_id: d.dead_letter_id,
    stage: d.stage,
    reason: d.reason,
    error: d.error,
    source_topic: d.source.topic,
    source_partition: d.source.partition,
    source_offset: d.source.offset,
    source_key: d.source.key,
    source_timestamp: ts,
    source_timestamp_ms: tsMs,
    original_base64: d.original_base64,
    failed_at: failedAt,
    failed_at_ms: failedAtMs,
    schema_version: d.schema_version,
  };
}

export function deadLetterFromRow(r: Row): DeadLetter {
  return {
    schema_version: 1,
    dead_letter_id: str(r.dead_letter_id),
    stage: str(r.stage),
    reason: str(r.reason),
    error: str(r.error),
    source: {
      topic: str(r.source_topic),
      partition: num(r.source_partition),
      offset: str(r.source_offset),
      key: strOrNull(r.source_key),
      timestamp: fromDateTimeParts(str(r.source_timestamp), num(r.source_timestamp_ms)),
    },
    original_base64: str(r.original_base64),
    failed_at: fromDateTimeParts(str(r.failed_at), num(r.failed_at_ms)),
  };
}
