// Sample alerts and livestream samples, deterministic from listings and a seed: what the detect stage and
// the livestream crawler will publish, for the sink's tests, the panel checks and the benchmark
// (the demo crawls the demo market and runs the detect stage). In: ListingSnapshots (pipeline/sample.ts). Out: contract values.
// Detector and rule names are those of detectors/ (price_anomaly, certificate_mismatch with ccc_* and
// licence_* rules, recall_match, prohibited_item, three_no, livestream_risk); the boards select by them.
import { createHash } from 'node:crypto';
import { alertId, alertSubjectFromListing, alertSubjectFromLivestream, livestreamSnapshotId, subjectKey, type Alert, type ListingSnapshot, type LivestreamSnapshot, type Severity } from '../../pipeline/contracts/index.ts';
import { rng } from '../../pipeline/sample.ts';

const LISTING_RULES: readonly { detector: string; rule: string; severity: Severity }[] = [
  { detector: 'price_anomaly', rule: 'price_far_below_base', severity: 'medium' },
  { detector: 'certificate_mismatch', rule: 'ccc_revoked', severity: 'high' },
  { detector: 'certificate_mismatch', rule: 'ccc_not_in_register', severity: 'critical' },
  { detector: 'certificate_mismatch', rule: 'licence_not_in_register', severity: 'medium' },
  { detector: 'recall_match', rule: 'model_match', severity: 'high' },
  { detector: 'prohibited_item', rule: 'listed_item', severity: 'critical' },
  { detector: 'three_no', rule: 'no_producer_address', severity: 'low' },
];

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const addMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** Alerts for about `share` of the listings (at least one per listing chosen), deterministic from the seed. */
export function sampleAlerts(listings: readonly ListingSnapshot[], seed = 1, share = 0.3): Alert[] {
  const random = rng(seed);
  const out: Alert[] = [];
  for (const l of listings) {
    if (random() >= share) continue;
    const r = LISTING_RULES[Math.floor(random() * LISTING_RULES.length)]!;
    const evidenceKey = r.detector === 'price_anomaly' ? String(l.price) : (l.ccc_numbers[0] ?? l.model ?? l.listing_id);
    out.push({
      ...alertSubjectFromListing(l, addMs(l.fetched_at, 1500)),
      alert_id: alertId(subjectKey('listing', l.platform, l.listing_id), r.detector, r.rule, evidenceKey),
      detector: r.detector,
      rule_id: r.rule,
      score: Math.round((0.5 + random() * 0.5) * 1000) / 1000,
      severity: r.severity,
      summary: `${r.detector}: ${r.rule} on ${l.platform} listing ${l.listing_id}`,
      evidence: {
        observed: { price: l.price, ccc_numbers: l.ccc_numbers, model: l.model },
        reference: r.detector === 'price_anomaly' ? { median: l.price === null ? null : Math.round(l.price * 2.5) } : { key: evidenceKey },
      },
    });
  }
  return out;
}

const HOSTS = ['小王直播间', '好物推荐官', '宝妈严选', '数码老李', '家电特卖'];
const CLAIMS = ['家人们，全网最低价！', '国家级品质，放心买', '今天只要 199', '销量冠军，仅此一场', '正品保障，假一赔十'];

/** `rooms` livestream rooms with `samples` samples each, a minute apart from `start`. */
export function sampleLivestreams(rooms: number, samples: number, seed = 1, start = '2026-11-01T20:00:00.000Z'): LivestreamSnapshot[] {
  const random = rng(seed);
  const out: LivestreamSnapshot[] = [];
  for (let r = 0; r < rooms; r++) {
    const platform = r % 2 ? 'livebuy' : 'bigmall';
    const roomId = `room-${seed}-${r}`;
    const host = HOSTS[r % HOSTS.length]!;
    for (let s = 0; s < samples; s++) {
      const fetchedAt = addMs(start, (r * samples + s) * 60_000);
      const text = CLAIMS[Math.floor(random() * CLAIMS.length)]!;
      const content_hash = hex(`${roomId}|${s}|${text}`);
      out.push({
        schema_version: 1,
        snapshot_id: livestreamSnapshotId(platform, roomId, s, content_hash),
        platform,
        room_id: roomId,
        url: `http://127.0.0.1/${platform}/live/${roomId}`,
        fetched_at: fetchedAt,
        sampled_seq: s,
        host: { host_id: `host-${r % HOSTS.length}`, name: host, seller_id: `${platform}-s${r}` },
        viewer_count: Math.floor(random() * 50_000),
        product: {
          listing_id: `${seed}-${r}`,
          title: '儿童电动玩具车',
          price: 199 + Math.floor(random() * 200),
          currency: 'CNY',
          claimed_price_text: text.includes('199') ? '199' : null,
          claimed_discount: null,
          ccc_numbers: [],
          brand: '乐童',
          model: 'LT-2024A',
        },
        transcript: [{ at: addMs(fetchedAt, 500), text }],
        content_hash,
        crawler_kind: 'playwright',
      });
    }
  }
  return out;
}

/** A livestream_risk alert for each sample whose transcript makes an absolute claim. */
export function sampleLivestreamAlerts(streams: readonly LivestreamSnapshot[]): Alert[] {
  const out: Alert[] = [];
  for (const s of streams) {
    const line = s.transcript.find((t) => /国家级|最低|冠军|唯一/.test(t.text));
    if (!line) continue;
    out.push({
      ...alertSubjectFromLivestream(s, addMs(s.fetched_at, 1000)),
      alert_id: alertId(subjectKey('livestream', s.platform, s.room_id), 'livestream_risk', 'absolute_claim', line.text),
      category: 'children_toys',
      detector: 'livestream_risk',
      rule_id: 'absolute_claim',
      score: 0.8,
      severity: 'medium',
      summary: `absolute claim in room ${s.room_id}`,
      evidence: { observed: { transcript: line.text, at: line.at }, reference: { statute: 'Advertising Law art. 9(3)' } },
    });
  }
  return out;
}
