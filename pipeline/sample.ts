// Sample listing snapshots for trying the pipeline before crawlers run: deterministic from a seed.
// Out: ListingSnapshot values (and, on request, malformed messages) on the incoming listings topic.
// The crawler issue replaces this source with the demo marketplace; the command stays for smoke tests.
import { createHash } from 'node:crypto';
import type { Config } from './config.ts';
import type { ListingSnapshot } from './contracts/index.ts';
import { snapshotId } from './contracts/index.ts';
import { ACKS_ALL, createKafka } from './kafka.ts';
import type { Logger } from './logger.ts';
import { topics } from './topics.ts';

/** mulberry32: small, fast, good enough for test data; same seed -> same sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLATFORMS = ['bigmall', 'spa_shop', 'selfshop', 'livebuy'] as const;
const PRODUCTS = [
  { category: 'children_toys', name: '儿童电动玩具车 Kids ride-on car', brand: '乐童', model: 'LT-2024A', price: 399, ccc: '2023010703112233' },
  { category: 'electric_heater', name: '暖风机 家用 Electric fan heater', brand: 'Midea', model: 'NTH20-18A', price: 229, ccc: '2022010711223344' },
  { category: 'gas_stove', name: '燃气灶 嵌入式 Gas hob', brand: '华帝', model: 'JZT-i10052B', price: 1299, ccc: '2021011901556677' },
  { category: 'food_contact', name: '不锈钢保温杯 500ml Vacuum flask', brand: '象印', model: 'SM-SA50', price: 159, ccc: null },
  { category: 'textiles', name: '婴幼儿纯棉连体衣 Baby bodysuit', brand: '好孩子', model: 'GB-7731', price: 89, ccc: null },
  { category: 'fire_products', name: '干粉灭火器 4kg Fire extinguisher', brand: '淮海', model: 'MFZ/ABC4', price: 75, ccc: '2020080918001234' },
  { category: 'power_strip', name: '插线板 USB 排插 Power strip', brand: '公牛', model: 'GN-B3050', price: 69, ccc: '2019010201998877' },
  { category: 'building_insulation', name: '岩棉保温板 Rock wool board', brand: '北新', model: 'RW-100', price: 45, ccc: null },
] as const;
const REGIONS = ['110105', '310115', '440305', '330106', '420106', '510107'];
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A unified social credit code with a valid check character, registered in `region`. */
export function makeCreditCode(region: string, random: () => number): string {
  let body = '91' + region;
  while (body.length < 17) body += USCC_ALPHABET[Math.floor(random() * 31)];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(body[i]!) * USCC_WEIGHTS[i]!;
  return body + USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function sampleListings(count: number, seed = 1, fetchedAt = new Date('2026-11-01T08:00:00.000Z')): ListingSnapshot[] {
  const random = rng(seed);
  const out: ListingSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    const platform = PLATFORMS[i % PLATFORMS.length]!;
    const p = PRODUCTS[Math.floor(random() * PRODUCTS.length)]!;
    const region = REGIONS[Math.floor(random() * REGIONS.length)]!;
    const listingId = `${seed}-${i}`;
    const price = Math.round(p.price * (0.8 + random() * 0.4) * 100) / 100;
    const sellerNo = Math.floor(random() * 50);
    const contentHash = createHash('sha256').update(`${platform}|${listingId}|${price}`).digest('hex');
    const base = {
      schema_version: 1 as const,
      platform,
      listing_id: listingId,
      url: `http://127.0.0.1/${platform}/item/${listingId}`,
      fetched_at: new Date(fetchedAt.getTime() + i * 1000).toISOString(),
      http_status: 200,
      content_hash: contentHash,
      crawler_kind: 'sample' as const,
      title: `${p.brand} ${p.name} ${p.model}`,
      price,
      currency: 'CNY',
      original_price: null,
      price_text: `¥${price.toFixed(2)}`,
      brand: p.brand,
      model: p.model,
      category: p.category,
      gtin: null,
      ccc_numbers: p.ccc ? [p.ccc] : [],
      licence_numbers: [],
      seller: {
        seller_id: `${platform}-s${sellerNo}`,
        name: `店铺${sellerNo}`,
        credit_code: makeCreditCode(region, rng(seed * 1000 + sellerNo)),
        region_code: region,
        address: null,
      },
      producer: { name: `${p.brand}制造有限公司`, address: null },
      attributes: {},
      images: [],
    };
    out.push({ ...base, snapshot_id: snapshotId(platform, listingId, contentHash) } as ListingSnapshot);
  }
  return out;
}

export const MALFORMED_SAMPLES: readonly string[] = [
  '{"schema_version":1,"platform":"bigmall"', // truncated JSON
  '{"schema_version":1,"platform":"bigmall","listing_id":"x","price":"cheap"}', // wrong types, missing fields
  'not json at all',
];

export async function publishSample(config: Config, logger: Logger, opts: { count: number; seed: number; malformed?: number }): Promise<number> {
  const kafka = createKafka(config.kafka, logger);
  const producer = kafka.producer();
  await producer.connect();
  try {
    const listings = sampleListings(opts.count, opts.seed);
    const messages: { key: string; value: string }[] = listings.map((l) => ({ key: `${l.platform}:${l.listing_id}`, value: JSON.stringify(l) }));
    for (let i = 0; i < (opts.malformed ?? 0); i++) {
      messages.splice(Math.floor((messages.length * (i + 1)) / ((opts.malformed ?? 0) + 1)), 0, {
        key: `bigmall:malformed-${i}`,
        value: MALFORMED_SAMPLES[i % MALFORMED_SAMPLES.length]!,
      });
    }
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic: kafka.topic(topics.listingsIncoming), acks: ACKS_ALL, messages: messages.slice(i, i + 1000) });
    }
    return messages.length;
  } finally {
    await producer.disconnect();
  }
}
