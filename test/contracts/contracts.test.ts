import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Alert,
  Certificate,
  DeadLetter,
  Licence,
  ListingSnapshot,
  LivestreamSnapshot,
  ProhibitedItem,
  Recall,
  alertId,
  contracts,
  deadLetterId,
  issueFields,
  livestreamSnapshotId,
  makeDeadLetter,
  parseContract,
  snapshotId,
  stableId,
  truncateText,
} from '../../pipeline/contracts/index.ts';
import { renderJsonSchemas } from '../../pipeline/contracts/json-schema.ts';
import {
  alertExample,
  certificateExample,
  deadLetterExample,
  licenceExample,
  listingExample,
  livestreamExample,
  prohibitedExample,
  recallExample,
} from './examples.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Fields named by a failed parse. */
function failedFields(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }, value: unknown): string[] {
  const r = schema.safeParse(value);
  expect(r.success, 'expected the value to be rejected').toBe(false);
  return issueFields(r.error!.issues as never);
}

describe('valid examples pass', () => {
  it.each([
    ['listing_snapshot', listingExample()],
    ['listing_snapshot (all nullable null)', listingExample({ price: null, currency: null, original_price: null, price_text: null, brand: null, model: null, category: null, gtin: null, ccc_numbers: [], licence_numbers: [], attributes: {}, images: [], producer: { name: null, address: null }, seller: { seller_id: 's', name: 'n', credit_code: null, region_code: null, address: null } })],
    ['livestream_snapshot', livestreamExample()],
    ['livestream_snapshot (no product card)', livestreamExample({ product: null, viewer_count: null, transcript: [] })],
    ['alert', alertExample()],
    ['certificate', certificateExample()],
    ['licence', licenceExample()],
    ['licence (national)', licenceExample({ number: 'XK08-001-04763' })],
    ['licence (full-width brackets)', licenceExample({ number: '（粤）XK08-001-04763' })],
    ['recall', recallExample()],
    ['prohibited_item', prohibitedExample()],
    ['dead_letter', deadLetterExample()],
    ['dead_letter (no key)', deadLetterExample({ source: { ...deadLetterExample().source, key: null } })],
  ] as const)('%s', (name, value) => {
    const contract = contracts[name.split(' ')[0] as keyof typeof contracts];
    const r = contract.safeParse(value);
    expect(r.success ? [] : issueFields(r.error.issues)).toEqual([]);
    expect(r.data).toEqual(value);
  });
});

const L = listingExample();
describe('invalid listing snapshots fail, naming the field', () => {
  it.each([
    ['schema_version', { ...L, schema_version: 2 }],
    ['snapshot_id', { ...L, snapshot_id: 'ABC' }],
    ['platform', { ...L, platform: 'Demo Market' }],
    ['listing_id', { ...L, listing_id: '' }],
    ['listing_id', { ...L, listing_id: 'a\nb' }],
    ['url', { ...L, url: 'javascript:alert(1)' }],
    ['fetched_at', { ...L, fetched_at: '2026-11-01T08:30:00Z' }],
    ['fetched_at', { ...L, fetched_at: '2026-11-01T16:30:00.000+08:00' }],
    ['http_status', { ...L, http_status: 99 }],
    ['content_hash', { ...L, content_hash: 'x'.repeat(64) }],
    ['crawler_kind', { ...L, crawler_kind: 'curl' }],
    ['title', { ...L, title: 'x'.repeat(2001) }],
    ['price', { ...L, price: -1 }],
    ['price', { ...L, price: Number.NaN }],
    ['price', { ...L, price: '69.9' }],
    ['currency', { ...L, currency: 'rmb' }],
    ['gtin', { ...L, gtin: '69212345678901234' }],
    ['ccc_numbers', { ...L, ccc_numbers: Array.from({ length: 101 }, () => '1') }],
    ['seller.credit_code', { ...L, seller: { ...L.seller, credit_code: '91440300MA5FIIII1O' } }],
    ['seller.region_code', { ...L, seller: { ...L.seller, region_code: '44030' } }],
    ['seller.name', { ...L, seller: { ...L.seller, name: undefined } }],
    ['seller.evil', { ...L, seller: { ...L.seller, evil: 1 } }],
    ['producer', { ...L, producer: undefined }],
    ['attributes', { ...L, attributes: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v'])) }],
    ['attributes.k', { ...L, attributes: { k: 1 } }],
    ['images.0', { ...L, images: ['ftp://x/y.jpg'] }],
    ['extra_field', { ...L, extra_field: 'not in the contract' }],
  ])('%s', (field, value) => {
    expect(failedFields(ListingSnapshot, value)).toContain(field);
  });
});

const S = livestreamExample();
const A = alertExample();
const D = deadLetterExample();
describe('invalid messages of the other contracts fail, naming the field', () => {
  it.each([
    [LivestreamSnapshot, 'sampled_seq', { ...S, sampled_seq: -1 }],
    [LivestreamSnapshot, 'sampled_seq', { ...S, sampled_seq: 1.5 }],
    [LivestreamSnapshot, 'host.host_id', { ...S, host: { ...S.host, host_id: '' } }],
    [LivestreamSnapshot, 'product.brand', { ...S, product: { ...S.product!, brand: undefined } }],
    [LivestreamSnapshot, 'transcript.0.at', { ...S, transcript: [{ at: 'yesterday', text: 'x' }] }],
    [LivestreamSnapshot, 'transcript', { ...S, transcript: Array.from({ length: 1001 }, () => ({ at: S.fetched_at, text: '' })) }],
    [Alert, 'score', { ...A, score: 1.01 }],
    [Alert, 'severity', { ...A, severity: 'urgent' }],
    [Alert, 'subject_kind', { ...A, subject_kind: 'seller' }],
    [Alert, 'detector', { ...A, detector: 'CCC Status' }],
    [Alert, 'evidence.observed.f', { ...A, evidence: { ...A.evidence, observed: { f: () => 1 } } }],
    [Alert, 'evidence.reference', { ...A, evidence: { observed: {} } }],
    [Alert, 'summary', { ...A, summary: '' }],
    [Certificate, 'number', certificateExample({ number: '201901020199887' })],
    [Certificate, 'status', { ...certificateExample(), status: 'withdrawn' }],
    [Certificate, 'category_code', certificateExample({ category_code: '701' })],
    [Certificate, 'expires_on', certificateExample({ expires_on: '2029-02-30' })],
    [Certificate, 'updated_at', { ...certificateExample(), updated_at: undefined }],
    [Licence, 'number', licenceExample({ number: 'XK8-001-04763' })],
    [Licence, 'number', licenceExample({ number: '(HB)XK12-001-00018' })],
    [Recall, 'jurisdiction', recallExample({ jurisdiction: 'china' })],
    [Recall, 'gtins.0', recallExample({ gtins: ['abc'] })],
    [Recall, 'production_from', recallExample({ production_from: '2025/08/01' })],
    [ProhibitedItem, 'keywords', prohibitedExample({ keywords: [] })],
    [ProhibitedItem, 'basis', prohibitedExample({ basis: '' })],
    [DeadLetter, 'reason', { ...D, reason: 'Bad Input' }],
    [DeadLetter, 'error', { ...D, error: 'x'.repeat(4001) }],
    [DeadLetter, 'source.offset', { ...D, source: { ...D.source, offset: 12 } }],
    [DeadLetter, 'source.key', { ...D, source: { ...D.source, key: 'not base64!' } }],
    [DeadLetter, 'original_base64', { ...D, original_base64: 'abc' }],
  ] as const)('%#: %s', (schema, field, value) => {
    expect(failedFields(schema as never, value)).toContain(field);
  });
});

describe('deterministic ids', () => {
  it('snapshotId is sha256 of platform|listing_id|content_hash', () => {
    const h = sha('page');
    expect(snapshotId('jd', '100', h)).toBe(sha(`jd|100|${h}`));
    expect(snapshotId('jd', '100', h)).toBe(snapshotId('jd', '100', h));
    expect(snapshotId('jd', '101', h)).not.toBe(snapshotId('jd', '100', h));
  });
  it.each([
    [['a|b', 'c'], ['a', 'b|c']],
    [['a\\', '|b'], ['a\\|', 'b']],
    [['x', ''], ['x|', '']],
  ])('parts that would join alike still differ: %j vs %j', (p, q) => {
    expect(stableId(...p)).not.toBe(stableId(...q));
  });
  it('alertId, livestreamSnapshotId, deadLetterId are stable and documented', () => {
    expect(alertId('listing:jd:1', 'ccc_status', 'revoked', '2019')).toBe(sha('listing:jd:1|ccc_status|revoked|2019'));
    expect(livestreamSnapshotId('dy', 'r1', 7, 'ab')).toBe(sha('dy|r1|7|ab'));
    expect(deadLetterId('t', 0, '15', 'ingest')).toBe(sha('t|0|15|ingest'));
  });
  it('examples carry the ids their helpers compute', () => {
    const l = listingExample();
    expect(l.snapshot_id).toBe(snapshotId(l.platform, l.listing_id, l.content_hash));
  });
});

describe('helpers', () => {
  it('parseContract returns results, not exceptions', () => {
    expect(parseContract('listing_snapshot', JSON.stringify(listingExample()))).toMatchObject({ ok: true });
    expect(parseContract('listing_snapshot', '{not json')).toMatchObject({ ok: false, reason: 'invalid_json' });
    const bad = parseContract('listing_snapshot', Buffer.from(JSON.stringify({ ...listingExample(), price: -3, zzz: 1 })));
    expect(bad).toMatchObject({ ok: false, reason: 'schema_mismatch' });
    expect(bad.ok ? [] : bad.fields).toEqual(expect.arrayContaining(['price', 'zzz']));
  });
  it('makeDeadLetter builds a valid dead letter with base64 key and value and truncated error', () => {
    const d = makeDeadLetter({
      stage: 'ingest',
      reason: 'invalid_json',
      error: new SyntaxError('x'.repeat(10_000)),
      topic: 'shelfwatch.listings.incoming.v1',
      partition: 0,
      offset: '42',
      key: new Uint8Array([0xff, 0x00, 0x61]),
      timestamp: new Date('2026-11-01T00:00:00.000Z'),
      value: '{oops',
      failedAt: new Date('2026-11-01T00:00:01.000Z'),
    });
    expect(DeadLetter.parse(d)).toEqual(d);
    expect(Buffer.from(d.source.key!, 'base64')).toEqual(Buffer.from([0xff, 0x00, 0x61]));
    expect(Buffer.from(d.original_base64, 'base64').toString()).toBe('{oops');
    expect(d.error.length).toBe(4000);
    expect(d.dead_letter_id).toBe(deadLetterId('shelfwatch.listings.incoming.v1', 0, '42', 'ingest'));
  });
  it('truncateText does not split a surrogate pair', () => {
    const t = truncateText('a'.repeat(10) + '😀'.repeat(10), 24);
    expect(t.endsWith('…[truncated]')).toBe(true);
    expect(Buffer.from(t).toString()).toBe(t);
    expect(t.length).toBeLessThanOrEqual(24);
  });
});

describe('JSON Schemas in docs/schemas', () => {
  const dir = join(import.meta.dirname, '../../docs/schemas');
  const rendered = renderJsonSchemas();
  it.each([...rendered.keys()])('%s is up to date (regenerate: npx tsx pipeline/contracts/json-schema.ts)', (file) => {
    expect(readFileSync(join(dir, file), 'utf8')).toBe(rendered.get(file));
  });
  it('has no stale files', () => {
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.schema.json'));
    expect(onDisk.sort()).toEqual([...rendered.keys()].sort());
  });
  it('every contract requires schema_version 1 and forbids unknown keys', () => {
    for (const name of Object.keys(contracts)) {
      const s = JSON.parse(rendered.get(`${name}.schema.json`)!);
      expect(s.properties.schema_version.const).toBe(1);
      expect(s.additionalProperties).toBe(false);
    }
  });
});

describe('timestamps', () => {
  it.each(['1969-12-31T23:59:59.999Z', '2100-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z'])('%s is out of range', (t) => {
    expect(failedFields(ListingSnapshot, { ...listingExample(), fetched_at: t })).toContain('fetched_at');
  });
});
