// Valid example messages for every contract, shared by the contract tests and the ClickHouse tests.
import {
  alertId,
  contentHash,
  deadLetterId,
  livestreamSnapshotId,
  snapshotId,
  subjectKey,
  type Alert,
  type Certificate,
  type DeadLetter,
  type Licence,
  type ListingSnapshot,
  type LivestreamSnapshot,
  type ProhibitedItem,
  type Recall,
} from '../../pipeline/contracts/index.ts';

export function listingExample(over: Partial<ListingSnapshot> = {}): ListingSnapshot {
  const platform = over.platform ?? 'demo_market';
  const listing_id = over.listing_id ?? 'item-100012';
  const content_hash = over.content_hash ?? contentHash(`<html>${listing_id}</html>`);
  return {
    schema_version: 1,
    snapshot_id: snapshotId(platform, listing_id, content_hash),
    platform,
    listing_id,
    url: `https://shop.example/item/${listing_id}`,
    fetched_at: '2026-11-01T08:30:00.123Z',
    http_status: 200,
    content_hash,
    crawler_kind: 'cheerio',
    title: '公牛 插线板 USB 排插 GN-B3050 5m',
    price: 69.9,
    currency: 'CNY',
    original_price: 99,
    price_text: '¥69.90',
    brand: '公牛',
    model: 'GN-B3050',
    category: 'power_strip',
    gtin: '6921234567890',
    ccc_numbers: ['2019010201998877'],
    licence_numbers: ['XK08-001-04763'],
    seller: {
      seller_id: 'demo_market-s7',
      name: '某某电器专营店',
      credit_code: '91440300MA5F111111',
      region_code: '440305',
      address: '广东省深圳市南山区',
    },
    producer: { name: '公牛集团股份有限公司', address: '浙江省慈溪市' },
    attributes: { 额定电压: '250V', 'rated current': '10A' },
    images: ['https://img.shop.example/a.jpg'],
    ...over,
  };
}

export function livestreamExample(over: Partial<LivestreamSnapshot> = {}): LivestreamSnapshot {
  const platform = over.platform ?? 'livebuy';
  const room_id = over.room_id ?? 'room-42';
  const sampled_seq = over.sampled_seq ?? 3;
  const content_hash = over.content_hash ?? contentHash(`room ${room_id} ${sampled_seq}`);
  return {
    schema_version: 1,
    snapshot_id: livestreamSnapshotId(platform, room_id, sampled_seq, content_hash),
    platform,
    room_id,
    url: `https://live.example/room/${room_id}`,
    fetched_at: '2026-11-01T20:00:05.000Z',
    sampled_seq,
    host: { host_id: 'host-9', name: '小王直播间', seller_id: 'livebuy-s3' },
    viewer_count: 12034,
    product: {
      listing_id: 'item-77',
      title: '儿童电动玩具车',
      price: 399,
      currency: 'CNY',
      claimed_price_text: '全网最低 399',
      claimed_discount: '5折',
      ccc_numbers: [],
      brand: '乐童',
      model: 'LT-2024A',
    },
    transcript: [
      { at: '2026-11-01T20:00:01.500Z', text: '家人们，全网最低价！' },
      { at: '2026-11-01T20:00:03.250Z', text: "国家级品质，唯一'正品'" },
    ],
    content_hash,
    crawler_kind: 'playwright',
    ...over,
  };
}

export function alertExample(over: Partial<Alert> = {}): Alert {
  const l = listingExample();
  return {
    schema_version: 1,
    alert_id: alertId(subjectKey('listing', l.platform, l.listing_id), 'ccc_status', 'certificate_revoked', '2019010201998877'),
    created_at: '2026-11-01T08:30:01.000Z',
    subject_kind: 'listing',
    subject_id: l.listing_id,
    snapshot_id: l.snapshot_id,
    url: l.url,
    content_hash: l.content_hash,
    fetched_at: l.fetched_at,
    platform: l.platform,
    seller_id: l.seller.seller_id,
    seller_credit_code: l.seller.credit_code,
    region_code: l.seller.region_code,
    category: l.category,
    detector: 'ccc_status',
    rule_id: 'certificate_revoked',
    score: 0.95,
    severity: 'high',
    summary: 'CCC certificate 2019010201998877 shown on the page is revoked',
    evidence: {
      observed: { ccc_numbers: ['2019010201998877'], title: l.title },
      reference: { number: '2019010201998877', status: 'revoked', revoked_on: '2025-03-01', nested: { a: [1, null, true] } },
    },
    ...over,
  };
}

export function certificateExample(over: Partial<Certificate> = {}): Certificate {
  return {
    schema_version: 1,
    updated_at: '2026-10-01T00:00:00.000Z',
    number: '2019010201998877',
    status: 'valid',
    holder: '公牛集团股份有限公司',
    manufacturer: '公牛集团股份有限公司',
    factory: '公牛集团股份有限公司慈溪工厂',
    product_name: '转换器',
    category_code: '0201',
    models: ['GN-B3050', 'GN-B3030'],
    standard: 'GB/T 2099.1-2021',
    issued_on: '2019-05-20',
    expires_on: '2029-05-19',
    issuer: '中国质量认证中心',
    ...over,
  };
}

export function licenceExample(over: Partial<Licence> = {}): Licence {
  return {
    schema_version: 1,
    updated_at: '2026-10-01T00:00:00.000Z',
    number: '(鄂)XK12-001-00018',
    holder: '武汉某某电缆有限公司',
    product: '电线电缆',
    issued_on: '2024-01-10',
    expires_on: '2029-01-09',
    status: 'valid',
    ...over,
  };
}

export function recallExample(over: Partial<Recall> = {}): Recall {
  return {
    schema_version: 1,
    updated_at: '2026-10-01T00:00:00.000Z',
    recall_id: 'samr-2026-0123',
    published_on: '2026-09-15',
    producer: '某某电器有限公司',
    producer_credit_code: null,
    brand: '某某',
    product_name: '电暖器',
    models: ['NTH20-18A'],
    gtins: [],
    batches: ['20250801'],
    production_from: '2025-08-01',
    production_to: null,
    defect: '温控器失效',
    hazard: '过热起火',
    jurisdiction: 'CN',
    url: null,
    ...over,
  };
}

export function prohibitedExample(over: Partial<ProhibitedItem> = {}): ProhibitedItem {
  return {
    schema_version: 1,
    updated_at: '2026-10-01T00:00:00.000Z',
    item_id: 'lead_paint_toys',
    name: '含铅油漆儿童玩具',
    keywords: ['含铅', 'lead paint'],
    category: 'children_toys',
    basis: 'GB 6675.4-2014',
    severity: 'critical',
    ...over,
  };
}

export function deadLetterExample(over: Partial<DeadLetter> = {}): DeadLetter {
  return {
    schema_version: 1,
    dead_letter_id: deadLetterId('shelfwatch.listings.incoming.v1', 2, '1234567890123', 'ingest'),
    stage: 'ingest',
    reason: 'schema_mismatch',
    error: 'price: Too small',
    source: {
      topic: 'shelfwatch.listings.incoming.v1',
      partition: 2,
      offset: '1234567890123',
      key: Buffer.from('demo_market:item-1').toString('base64'),
      timestamp: '2026-11-01T08:30:00.000Z',
    },
    original_base64: Buffer.from('{"price":-1}').toString('base64'),
    failed_at: '2026-11-01T08:30:02.000Z',
    ...over,
  };
}
