// Listing i of the demo marketplace as a pure function of (seed, i, options): which platform shows it, the
// product, seller, price, certificates, the injected problem (if any), and how each value is displayed on
// that platform (odd price and certificate encodings, model variants, GBK pages). The page renderers and the
// ground truth both read this one object, so they cannot disagree.
// A listing may also have a previous crawl (`previous_price`): the same page a day or more earlier, at the price
// it showed then; that is how a price jump between two crawls is injected and how ordinary re-pricing is shown.
// In: seed, index, { clean, problemRate }. Out: `listingAt`, `previousListing`, `sellerAt`, `listingTruth`, id
// <-> index helpers.
import { catalogueFor, GROUPS, addressIn, pickStreet, type GroupId, type Product, type ProhibitedProduct } from './catalogue.ts';
import { forgedCertNumber, forgedLicenceNumber, referenceFor, type CertVariant, type LicenceVariant } from './reference.ts';
import { REGIONS, shortPlace } from './regions.ts';
import { hashKeys, rngFor, type Rng } from './rng.ts';
import { shortNumber, toFullWidth, withThousands } from './text.ts';
import { makeUscc } from './uscc.ts';

export const PLATFORMS = ['bigmall', 'spa_mall', 'selfshop'] as const;
export type ListingPlatform = (typeof PLATFORMS)[number];

/** The main draw: a listing drawn to carry a problem (at the problem rate) gets one of these. */
export const PRIMARY_PROBLEM_KINDS = [
  'price_far_below',
  'price_low',
  'ccc_forged',
  'ccc_expired',
  'ccc_revoked',
  'ccc_suspended',
  'ccc_out_of_scope',
  'ccc_missing',
  'recalled_model',
  'prohibited_item',
  'three_no',
] as const;
/**
 * Drawn last, only on listings the main draw left without a problem, so every listing the main draw touched,
 * and every value of every listing, stays as it was before these were added: licence problems on listings of
 * licensed products (at half the problem rate), certificate holder / model problems on listings of CCC products
 * (a quarter of the rate), price jumps on any listing (an eighth of the rate).
 */
export const SECONDARY_PROBLEM_KINDS = [
  'licence_forged',
  'licence_missing',
  'licence_expired',
  'licence_revoked',
  'licence_suspended',
  'licence_product_mismatch',
  'ccc_holder_mismatch',
  'ccc_model_not_covered',
  'price_jump',
] as const;
export const LISTING_PROBLEM_KINDS = [...PRIMARY_PROBLEM_KINDS, ...SECONDARY_PROBLEM_KINDS] as const;
export type ListingProblemKind = (typeof LISTING_PROBLEM_KINDS)[number];
const LICENCE_KINDS = ['licence_forged', 'licence_missing', 'licence_expired', 'licence_revoked', 'licence_suspended', 'licence_product_mismatch'] as const;
/** Share of listings with a previous crawl (besides every price_jump listing). */
export const PREVIOUS_CRAWL_SHARE = 0.25;
/** A price jump multiplies or divides the price by at least this (price_anomaly's jumpFactor default is 3). */
export const JUMP_FACTOR_RANGE: readonly [number, number] = [3.5, 6];

export interface Problem {
  kind: string;
  detail: Record<string, unknown>;
}

export interface ListingOptions {
  /** Inject nothing (false-positive measurements). */
  clean?: boolean;
  /** Share of listings (and rooms) with an injected problem, 0..1. Default 0.2. */
  problemRate?: number;
}
export const DEFAULT_PROBLEM_RATE = 0.2;

export interface SellerInfo {
  seller_id: string;
  name: string;
  credit_code: string;
  region_code: string;
  address: string;
}

export type PriceStyle = 'plain' | 'fullwidth' | 'range' | 'yuan' | 'thousands';
export type CertStyle = 'plain' | 'spaced' | 'fullwidth' | 'prefixed' | 'hyphenated';

export interface Listing {
  index: number;
  platform: ListingPlatform;
  listing_id: string;
  /** Path on the demo server, e.g. /bigmall/item/10000004.html. */
  path: string;
  product_id: string;
  group: GroupId;
  category: string;
  title: string;
  /** Price a buyer pays (the low end of a shown range). */
  price: number;
  currency: 'CNY';
  price_text: string;
  price_style: PriceStyle;
  brand: string;
  brand_canonical: string;
  /** Model as shown (NFKC-normalised, trimmed). */
  model: string;
  /** The model exactly as printed on the page (may be full-width). */
  model_display: string;
  model_canonical: string;
  gtin: string | null;
  /** Canonical 16-digit numbers. */
  ccc_numbers: string[];
  ccc_display: string[];
  /** Canonical, ASCII brackets: (鄂)XK12-001-00018. */
  licence_numbers: string[];
  licence_display: string[];
  seller: SellerInfo;
  producer: { name: string | null; address: string | null };
  features: string[];
  /** selfshop only: served as GBK bytes. */
  charset: 'utf-8' | 'gbk';
  problems: Problem[];
  /** Reference median price of the product (CNY). */
  reference_median: number;
  /** Price at the listing's previous crawl, or null when it had none (see previousListing). */
  previous_price: number | null;
}

// ---------------------------------------------------------------- ids and layout

const BIGMALL_BASE = 10_000_000;

/** Platform of listing i: 0,1 -> bigmall, 2 -> spa_mall, 3 -> selfshop (mod 4), so every page size sees all. */
export function platformOf(i: number): ListingPlatform {
  const m = i % 4;
  return m < 2 ? 'bigmall' : m === 2 ? 'spa_mall' : 'selfshop';
}

/** Product group of listing i; category pages enumerate it without scanning. */
export const groupOf = (i: number): GroupId => GROUPS[Math.floor(i / 4) % GROUPS.length] as GroupId;

export function listingIdOf(i: number): string {
  const p = platformOf(i);
  return p === 'bigmall' ? String(BIGMALL_BASE + i) : p === 'spa_mall' ? `sp${i}` : `g${i}`;
}

export function listingPath(i: number): string {
  const id = listingIdOf(i);
  const p = platformOf(i);
  return p === 'bigmall' ? `/bigmall/item/${id}.html` : p === 'spa_mall' ? `/spa/item/${id}` : `/shop/item/${id}.html`;
}

/** Index of a platform's listing id, or null when the id is not one of that platform's. */
export function indexOfListingId(platform: ListingPlatform, id: string): number | null {
  let m: RegExpMatchArray | null;
  let i: number;
  if (platform === 'bigmall' && (m = /^(\d{8,15})$/.exec(id))) i = Number(m[1]) - BIGMALL_BASE;
  else if (platform === 'spa_mall' && (m = /^sp(0|[1-9]\d{0,14})$/.exec(id))) i = Number(m[1]);
  else if (platform === 'selfshop' && (m = /^g(0|[1-9]\d{0,14})$/.exec(id))) i = Number(m[1]);
  else return null;
  return Number.isSafeInteger(i) && i >= 0 && platformOf(i) === platform ? i : null;
}

// ---------------------------------------------------------------- sellers

export const SELLER_POOL = 5000;
const SHOP_WORDS = ['佳品', '优选', '鑫隆', '百汇', '盛世', '宏达', '德润', '万家', '顺心', '华美', '嘉禾', '同创'];
const TRADE_WORDS = ['商贸', '电子商务', '贸易', '科技', '百货'];

export function sellerAt(seed: number, j: number): SellerInfo {
  const r = rngFor(seed, 'seller', j);
  const region = r.pick(REGIONS);
  return {
    seller_id: `SL${String(j).padStart(5, '0')}`,
    name: `${shortPlace(region.city)}${r.pick(SHOP_WORDS)}${r.pick(TRADE_WORDS)}有限公司`,
    credit_code: makeUscc({ region: region.code, serial: hashKeys(seed, 'seller-uscc', j) }),
    region_code: region.code,
    address: addressIn(region, pickStreet(r.int(1000)), r.range(1, 999)),
  };
}

// ---------------------------------------------------------------- display variants

function priceValue(r: Rng, median: number, lo: number, hi: number): number {
  const x = median * r.float(lo, hi);
  if (x < 10) return Math.max(0.5, Math.round(x * 10) / 10);
  return Math.floor(x) + r.pick([0, 0, 0.9, 0.5]);
}

/** A multiple of a price, rounded as listing prices are (0.1 below 10, whole yuan above). */
function roundPrice(x: number): number {
  return x < 10 ? Math.max(0.5, Math.round(x * 10) / 10) : Math.floor(x);
}

/**
 * The price at the listing's previous crawl (PREVIOUS_CRAWL_SHARE of listings), from a stream of its own so
 * no other value changes: an ordinary re-pricing inside the reasonable range for a listing priced normally,
 * else the same price (a listing priced low was priced low before too, so its problem is not a jump).
 */
function previousPriceOf(seed: number, i: number, price: number, median: number, normal: boolean): number | null {
  const q = rngFor(seed, 'previous-crawl', i);
  if (!q.chance(PREVIOUS_CRAWL_SHARE)) return null;
  return normal && q.chance(0.5) ? priceValue(q, median, 0.85, 1.25) : price;
}

/** Listing l as its previous crawl saw it (its price then), or null when it had no previous crawl. */
export function previousListing(l: Listing): Listing | null {
  if (l.previous_price === null) return null;
  return { ...l, price: l.previous_price, price_text: priceText(l.price_style, l.previous_price, l.charset === 'gbk') };
}

function priceText(style: PriceStyle, price: number, gbk: boolean): string {
  const yen = gbk ? '￥' : '¥'; // U+00A5 has no GBK mapping; U+FFE5 has
  switch (style) {
    case 'plain':
      return `${yen}${price.toFixed(2)}`;
    case 'fullwidth':
      return `￥${toFullWidth(price.toFixed(2))}`;
    case 'range':
      return `到手价 ${yen}${shortNumber(price)}-${shortNumber(Math.ceil(price * 1.35))}`;
    case 'yuan':
      return `${withThousands(price, null)}元`;
    case 'thousands':
      return `${yen}${withThousands(price, 2)}`;
  }
}

function certText(style: CertStyle, n: string): string {
  switch (style) {
    case 'plain':
      return n;
    case 'spaced':
      return `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8, 12)} ${n.slice(12)}`;
    case 'fullwidth':
      return toFullWidth(n);
    case 'prefixed':
      return `No.${n}`;
    case 'hyphenated':
      return `${n.slice(0, 4)}-${n.slice(4, 6)}-${n.slice(6, 10)}-${n.slice(10)}`;
  }
}

function licenceText(style: number, n: string): string {
  switch (style) {
    case 1:
      return n.replace('(', '（').replace(')', '）');
    case 2:
      return n.replace(/XK(\d\d)-(\d{3})-(\d{5})/, 'XK$1 $2 $3');
    case 3:
      return n.replace('XK', 'xk').replace(/-/g, '－');
    default:
      return n;
  }
}

/** How a recalled model gets written on a listing: case, separators, full-width, suffixes. */
export function modelVariant(model: string, r: Rng): string {
  switch (r.int(6)) {
    case 0:
      return model.toLowerCase();
    case 1:
      return model.replace(/-/g, ' ');
    case 2:
      return model.replace(/-/g, '');
    case 3:
      return toFullWidth(model);
    case 4:
      return `${model}${r.pick(['-W', 'Pro', '(白色)', '/A'])}`;
    default:
      return model.replace(/-/g, '_').toLowerCase();
  }
}

// ---------------------------------------------------------------- the listing

export function listingAt(seed: number, i: number, opts: ListingOptions = {}): Listing {
  if (!Number.isSafeInteger(i) || i < 0) throw new RangeError(`listing index must be a non-negative integer, got ${i}`);
  const cat = catalogueFor(seed);
  const ref = referenceFor(seed);
  const platform = platformOf(i);
  const group = groupOf(i);
  const g = cat.byGroup.get(group)!;
  const r = rngFor(seed, 'listing', i);
  const rate = opts.clean ? 0 : (opts.problemRate ?? DEFAULT_PROBLEM_RATE);

  let kind: (typeof PRIMARY_PROBLEM_KINDS)[number] | null = null;
  if (r.chance(rate)) {
    const applicable = PRIMARY_PROBLEM_KINDS.filter((k) =>
      k.startsWith('ccc_') ? g.ccc.length > 0 : k === 'recalled_model' ? g.recalled.length > 0 : k === 'prohibited_item' ? g.prohibited.length > 0 : true,
    );
    kind = r.pick(applicable);
  }

  const problems: Problem[] = [];
  const seller = sellerAt(seed, hashKeys(seed, 'seller-of', i) % SELLER_POOL);
  const gbk = platform === 'selfshop' && r.chance(0.35);
  const priceStyle: PriceStyle = platform === 'selfshop' ? r.pick(['plain', 'fullwidth', 'range', 'yuan', 'thousands'] as const) : 'plain';
  const certStyle: CertStyle = platform === 'selfshop' ? r.pick(['plain', 'spaced', 'fullwidth', 'prefixed', 'hyphenated'] as const) : 'plain';
  const licenceStyle = platform === 'selfshop' ? r.int(4) : 0;

  if (kind === 'prohibited_item') {
    const pp: ProhibitedProduct = r.pick(g.prohibited);
    const price = priceValue(r, pp.median, 0.85, 1.25);
    const keyword = r.pick(pp.def.keywords);
    problems.push({ kind, detail: { item_id: pp.def.item_id, keyword } });
    return {
      index: i,
      platform,
      listing_id: listingIdOf(i),
      path: listingPath(i),
      product_id: pp.product_id,
      group,
      category: pp.def.item_id,
      title: `${pp.brand} ${keyword} ${pp.model} ${pp.def.zh === keyword ? '' : pp.def.zh + ' '}厂家直销`.replace(/\s+/g, ' ').trim(),
      price,
      currency: 'CNY',
      price_text: priceText(priceStyle, price, gbk),
      price_style: priceStyle,
      brand: pp.brand,
      brand_canonical: pp.brand,
      model: pp.model,
      model_display: pp.model,
      model_canonical: pp.model,
      gtin: null,
      ccc_numbers: [],
      ccc_display: [],
      licence_numbers: [],
      licence_display: [],
      seller,
      producer: { name: pp.manufacturer.name, address: pp.manufacturer.address },
      features: ['厂家直销'],
      charset: gbk ? 'gbk' : 'utf-8',
      problems,
      reference_median: pp.median,
      previous_price: previousPriceOf(seed, i, price, pp.median, true),
    };
  }

  let product: Product;
  if (kind === 'recalled_model') product = r.pick(g.recalled);
  else if (kind?.startsWith('ccc_')) product = r.pick(g.ccc);
  else product = r.pick(g.sellable);

  // Price: clean listings sit inside the product's reasonable range.
  let price: number;
  if (kind === 'price_far_below') price = priceValue(r, product.median, 0.12, 0.36);
  else if (kind === 'price_low') price = priceValue(r, product.median, 0.55, 0.7);
  else price = priceValue(r, product.median, 0.85, 1.25);
  if (kind === 'price_far_below' || kind === 'price_low') {
    problems.push({ kind, detail: { reference_median: product.median, ratio: Math.round((price / product.median) * 1000) / 1000 } });
  }

  // CCC certificate shown.
  const ccc: string[] = [];
  const code = product.type.ccc;
  if (code) {
    const nums = ref.certNumbers.get(product.product_id) as Record<CertVariant, string>;
    if (kind === 'ccc_forged') {
      const n = forgedCertNumber(code, hashKeys(seed, 'forged', i));
      ccc.push(n);
      problems.push({ kind, detail: { number: n } });
    } else if (kind === 'ccc_expired' || kind === 'ccc_revoked' || kind === 'ccc_suspended') {
      const status = kind.slice(4) as CertVariant;
      ccc.push(nums[status]);
      problems.push({ kind, detail: { number: nums[status], status } });
    } else if (kind === 'ccc_out_of_scope') {
      // A valid certificate of a product whose CCC code differs.
      const others = cat.sellable.filter((p) => p.type.ccc && p.type.ccc !== code);
      const other = r.pick(others);
      const n = (ref.certNumbers.get(other.product_id) as Record<CertVariant, string>).valid;
      ccc.push(n);
      problems.push({ kind, detail: { number: n, certificate_category: other.type.ccc, product_category: code } });
    } else if (kind === 'ccc_missing') {
      problems.push({ kind, detail: { required_category: code } });
    } else {
      ccc.push(nums.valid);
    }
  }
  const licence: string[] = [];
  const lic = ref.licenceNumber.get(product.product_id);
  if (lic) licence.push(lic);

  // Model: recalled models are written in varied ways.
  let modelDisplay = product.model;
  if (kind === 'recalled_model') {
    modelDisplay = modelVariant(product.model, r);
    problems.push({ kind, detail: { recall_id: ref.recallId.get(product.product_id), model_canonical: product.model, model_shown: modelDisplay } });
  }
  const model = modelDisplay.normalize('NFKC').trim();

  // Producer: "three-no" listings lack the name, the address or both.
  let producer: Listing['producer'] = { name: product.manufacturer.name, address: product.manufacturer.address };
  if (kind === 'three_no') {
    const which = r.int(3);
    producer = { name: which === 1 ? producer.name : null, address: which === 2 ? producer.address : null };
    const missing = [...(producer.name === null ? ['producer_name'] : []), ...(producer.address === null ? ['producer_address'] : [])];
    problems.push({ kind, detail: { missing } });
  }

  const brand = r.chance(0.5) ? product.brand.zh : product.brand.en;
  const features = [r.pick(product.type.features), r.pick(product.type.features)].filter((f, k, a) => a.indexOf(f) === k);
  const english = r.chance(0.4) ? ` | ${product.brand.en} ${product.type.en} ${modelDisplay}` : '';
  const title = `${product.brand.zh}（${product.brand.en}）${product.type.zh} ${modelDisplay} ${features.join(' ')}${english}`;
  // Half the recalled listings show no barcode (sellers of recalled goods hide identifiers), so recall
  // matching is measured on model, brand and title too, not only on the GTIN. Drawn last: every other
  // value of every listing stays as it was.
  let gtin: string | null = product.gtin;
  if (kind === 'recalled_model' && r.chance(0.5)) {
    gtin = null;
    (problems.find((p) => p.kind === 'recalled_model') as Problem).detail.gtin_shown = false;
  }
  // Secondary problems (SECONDARY_PROBLEM_KINDS), on listings that drew no other problem, drawn last for the
  // same reason: the problems drawn above, and every value, stay as they were.
  let previousPrice = previousPriceOf(seed, i, price, product.median, kind !== 'price_far_below' && kind !== 'price_low');
  if (kind === null && rate > 0) {
    if (lic && r.chance(rate / 2)) {
      const k = r.pick(LICENCE_KINDS);
      const variants = ref.licenceVariants.get(product.product_id) as Record<LicenceVariant, string>;
      if (k === 'licence_forged') {
        // Right industry and product codes, an enterprise code the register does not hold.
        const n = forgedLicenceNumber(lic, hashKeys(seed, 'forged-licence', i), ref.licenceNumbers);
        licence.splice(0, licence.length, n);
        problems.push({ kind: k, detail: { number: n } });
      } else if (k === 'licence_missing') {
        licence.length = 0;
        problems.push({ kind: k, detail: { required_licence: product.type.licence } });
      } else if (k === 'licence_product_mismatch') {
        // The holder's own, valid licence, but for a product of another industry.
        const n = variants.other_product;
        licence.splice(0, licence.length, n);
        problems.push({ kind: k, detail: { number: n, licence_product: ref.licences.find((x) => x.number === n)!.product, product: product.type.zh } });
      } else {
        const status = k.slice('licence_'.length) as 'expired' | 'revoked' | 'suspended';
        licence.splice(0, licence.length, variants[status]);
        problems.push({ kind: k, detail: { number: variants[status], status } });
      }
    } else if (code && r.chance(rate / 4)) {
      // A registered, valid certificate for the product code, but issued to another company (same model), or
      // the maker's own certificate for another of its models.
      const otherModel = ref.otherModelCert.get(product.product_id);
      const k = otherModel && r.chance(0.5) ? 'ccc_model_not_covered' : 'ccc_holder_mismatch';
      const n = k === 'ccc_model_not_covered' ? otherModel! : ref.borrowedCert.get(product.product_id)!;
      ccc.splice(0, ccc.length, n);
      const cert = ref.certificates.find((c) => c.number === n)!;
      problems.push({ kind: k, detail: k === 'ccc_model_not_covered' ? { number: n, certificate_models: cert.models, model: product.model } : { number: n, holder: cert.holder, producer: product.manufacturer.name } });
    } else if (r.chance(rate / 8)) {
      // Between the previous crawl and this one the price went up (gouging) or came down from an inflated
      // level (raise-then-discount). The abnormal price is always the high one, so the normal one never looks
      // "far below".
      const f = r.float(JUMP_FACTOR_RANGE[0], JUMP_FACTOR_RANGE[1]);
      const up = r.chance(0.5);
      const normal = price;
      const high = roundPrice(normal * f);
      price = up ? high : normal;
      previousPrice = up ? normal : high;
      problems.push({ kind: 'price_jump', detail: { direction: up ? 'up' : 'down', previous_price: previousPrice, price, factor: Math.round((price / previousPrice) * 1000) / 1000 } });
    }
  }

  return {
    index: i,
    platform,
    listing_id: listingIdOf(i),
    path: listingPath(i),
    product_id: product.product_id,
    group,
    category: product.type.id,
    title,
    price,
    currency: 'CNY',
    price_text: priceText(priceStyle, price, gbk),
    price_style: priceStyle,
    brand,
    brand_canonical: product.brand.id,
    model,
    model_display: modelDisplay,
    model_canonical: product.model,
    gtin,
    ccc_numbers: ccc,
    ccc_display: ccc.map((n) => certText(certStyle, n)),
    licence_numbers: licence,
    licence_display: licence.map((n) => licenceText(licenceStyle, n)),
    seller,
    producer,
    features,
    charset: gbk ? 'gbk' : 'utf-8',
    problems,
    reference_median: product.median,
    previous_price: previousPrice,
  };
}

/** The ground-truth line of a listing (absolute URL under `baseUrl`). */
export function listingTruth(l: Listing, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'listing',
    index: l.index,
    platform: l.platform,
    listing_id: l.listing_id,
    url: baseUrl + l.path,
    title: l.title,
    price: l.price,
    currency: l.currency,
    price_text: l.price_text,
    brand: l.brand,
    model: l.model,
    category: l.category,
    ccc_numbers: l.ccc_numbers,
    licence_numbers: l.licence_numbers,
    seller: l.seller,
    producer: l.producer,
    gtin: l.gtin,
    product_id: l.product_id,
    brand_canonical: l.brand_canonical,
    model_canonical: l.model_canonical,
    reference_median: l.reference_median,
    previous_price: l.previous_price,
    charset: l.charset,
    problems: l.problems,
  };
}
