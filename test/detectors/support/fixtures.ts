// Builders for detector tests: a valid ListingSnapshot with overrides, register records, and a reference
// view filled from arrays (the same view code the detect stage uses).
import type { Certificate, Licence, ListingSnapshot, ProhibitedItem, Recall } from '../../../pipeline/contracts/index.ts';
import { createReferenceViews } from '../../../detectors/reference/views.ts';
import type { ReferenceView } from '../../../detectors/types.ts';

const HASH = 'a'.repeat(64);

export function listing(over: Partial<ListingSnapshot> = {}): ListingSnapshot {
  return {
    schema_version: 1,
    snapshot_id: 'b'.repeat(64),
    platform: 'demo_market',
    listing_id: 'L1',
    url: 'http://127.0.0.1:8080/item/L1',
    fetched_at: '2026-06-01T08:00:00.000Z',
    http_status: 200,
    content_hash: HASH,
    crawler_kind: 'cheerio',
    title: '美的 电风扇 FS40-13C 落地扇',
    price: 199,
    currency: 'CNY',
    original_price: null,
    price_text: '¥199',
    brand: '美的',
    model: 'FS40-13C',
    category: 'electric_fan',
    gtin: null,
    ccc_numbers: ['2020010702123456'],
    licence_numbers: [],
    seller: { seller_id: 'S1', name: '某某电器专营店', credit_code: null, region_code: '440305', address: null },
    producer: { name: '广东美的环境电器制造有限公司', address: null },
    attributes: {},
    images: [],
    ...over,
  };
}

export function certificate(over: Partial<Certificate> = {}): Certificate {
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    number: '2020010702123456',
    status: 'valid',
    holder: '广东美的环境电器制造有限公司',
    manufacturer: '广东美的环境电器制造有限公司',
    factory: '广东美的环境电器制造有限公司中山工厂',
    product_name: '电风扇',
    category_code: '0702',
    models: ['FS40-13C', 'FS40-15*'],
    standard: 'GB 4706.1-2005; GB 4706.27-2008',
    issued_on: '2020-03-01',
    expires_on: '2030-02-28',
    issuer: '中国质量认证中心',
    ...over,
  };
}

export function licence(over: Partial<Licence> = {}): Licence {
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    number: '(粤)XK06-001-00501',
    holder: '广州珠江电缆有限公司',
    product: '电线电缆',
    issued_on: '2022-01-01',
    expires_on: '2027-01-01',
    status: 'valid',
    ...over,
  };
}

export function recall(over: Partial<Recall> = {}): Recall {
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    recall_id: 'R1',
    published_on: '2026-03-01',
    producer: '深圳市某某科技有限公司',
    producer_credit_code: null,
    brand: '罗马仕',
    product_name: '移动电源',
    models: ['PAC20'],
    gtins: [],
    batches: [],
    production_from: null,
    production_to: null,
    defect: '电芯存在缺陷，可能起火',
    hazard: '火灾',
    jurisdiction: 'CN',
    url: null,
    ...over,
  };
}

export function refs(data: { certificates?: Certificate[]; licences?: Licence[]; recalls?: Recall[]; prohibited?: ProhibitedItem[] } = {}): ReferenceView {
  const v = createReferenceViews();
  for (const c of data.certificates ?? []) v.apply('certificates', c.number, c);
  for (const l of data.licences ?? []) v.apply('licences', l.number, l);
  for (const r of data.recalls ?? []) v.apply('recalls', r.recall_id, r);
  for (const p of data.prohibited ?? []) v.apply('prohibited', p.item_id, p);
  return v.view;
}
