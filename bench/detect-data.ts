// Generated data of bench:detect: CCC certificates, recalls and listings, each a pure function of its index
// (so the fill process and the stage process agree without sharing anything). In: an index and the register
// sizes. Out: contract objects. A listing cites certificate (i * 7919) % certificates; every 100th a forged
// number, every 200th is a recalled product.
import { CCC_PRODUCTS } from '../detectors/reference/ccc-catalogue.ts';
import type { Certificate, ListingSnapshot, Recall } from '../pipeline/contracts/index.ts';
import { contentHash, snapshotId } from '../pipeline/contracts/index.ts';

export const BRANDS = Array.from({ length: 500 }, (_, i) => `品牌${i}`);
const cccCodes = CCC_PRODUCTS.map((p) => ({ code: p.code, category: p.categories[0]!, name: p.nameZh }));

function certNumber(i: number): string {
  const c = cccCodes[i % cccCodes.length]!;
  return `2020${'01'}${c.code}${String(i).padStart(6, '0')}`;
}

export function makeCertificate(i: number): Certificate {
  const c = cccCodes[i % cccCodes.length]!;
  const brand = BRANDS[i % BRANDS.length]!;
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    number: certNumber(i),
    status: i % 50 === 0 ? 'revoked' : 'valid',
    holder: `深圳${brand}电器有限公司`,
    manufacturer: `深圳${brand}电器有限公司`,
    factory: `深圳${brand}电器有限公司`,
    product_name: c.name,
    category_code: c.code,
    models: [`M${i}A`, `M${i}B`],
    standard: 'GB 4706.1-2005',
    issued_on: '2020-01-01',
    expires_on: '2030-01-01',
    issuer: '中国质量认证中心',
  };
}

export function makeRecall(i: number): Recall {
  const c = cccCodes[(i * 7) % cccCodes.length]!;
  return {
    schema_version: 1,
    updated_at: '2026-01-01T00:00:00.000Z',
    recall_id: `R${i}`,
    published_on: '2026-01-01',
    producer: `某某${i}科技有限公司`,
    producer_credit_code: null,
    brand: BRANDS[(i * 13) % BRANDS.length]!,
    product_name: `${c.name} ${i % 3 === 0 ? '家用' : '便携'}款`,
    models: [`RX${i}-${i % 9}`],
    gtins: [],
    batches: [],
    production_from: null,
    production_to: null,
    defect: '存在安全隐患',
    hazard: '火灾',
    jurisdiction: 'CN',
    url: null,
  };
}

export function makeListing(i: number, certificates: number, recalls: number): ListingSnapshot {
  const certIdx = (i * 7919) % certificates;
  const cert = makeCertificate(certIdx);
  const c = cccCodes[certIdx % cccCodes.length]!;
  const recalled = i % 200 === 0;
  const r = recalled ? makeRecall((i * 31) % recalls) : null;
  const brand = r ? r.brand : BRANDS[certIdx % BRANDS.length]!;
  const model = r ? r.models[0]! : cert.models[0]!;
  const forged = i % 100 === 1;
  const platform = 'bench_mall';
  const listingId = `L${i}`;
  const hash = contentHash(`${listingId}:${i}`);
  return {
    schema_version: 1,
    snapshot_id: snapshotId(platform, listingId, hash),
    platform,
    listing_id: listingId,
    url: `http://127.0.0.1:8080/item/${listingId}`,
    fetched_at: '2026-06-01T08:00:00.000Z',
    http_status: 200,
    content_hash: hash,
    crawler_kind: 'cheerio',
    title: `${brand} ${c.name} ${model} ${i % 2 ? '新款 正品 包邮' : '官方旗舰店 热卖'}`,
    price: 100 + (i % 900),
    currency: 'CNY',
    original_price: null,
    price_text: null,
    brand,
    model,
    category: c.category,
    gtin: null,
    ccc_numbers: [forged ? `2020${'01'}${c.code}9${String(i).padStart(5, '0').slice(-5)}` : cert.number],
    licence_numbers: [],
    seller: { seller_id: `S${i % 5000}`, name: `店铺${i % 5000}`, credit_code: null, region_code: '440305', address: '广东省深圳市南山区科技园路1号' },
    producer: { name: cert.manufacturer, address: '广东省深圳市南山区' },
    attributes: {},
    images: [],
  };
}

