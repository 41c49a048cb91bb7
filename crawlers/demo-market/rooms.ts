// Livestream rooms of the `livebuy` platform as pure functions: `roomAt(seed, r)` is the room (host, seller,
// the listings it sells, its injected problem), `roomStateAt(seed, r, t)` what the room shows at time t:
// the product card, the host's words and the viewer count, all a function of the time bucket (default 3 s),
// so a sampler polling every few seconds sees the transcript and viewers change every bucket and the product
// card change every CARD_BUCKETS buckets.
// In: seed, room index, time (ms since epoch), options. Out: room, room state, ground-truth line.
import { DEFAULT_PROBLEM_RATE, listingAt, sellerAt, SELLER_POOL, type ListingOptions, type Problem, type SellerInfo } from './listings.ts';
import { hashKeys, rngFor } from './rng.ts';
import { shortNumber } from './text.ts';

export const ROOM_PROBLEM_KINDS = ['absolute_claim', 'room_price_mismatch'] as const;
export type RoomProblemKind = (typeof ROOM_PROBLEM_KINDS)[number];

/**
 * Absolute terms hosts must not use. `statutory` ones are named by Advertising Law art. 9(3); the others are
 * platform practice (see shared/design/domain.md).
 */
export const ABSOLUTE_TERMS: readonly { term: string; statutory: boolean }[] = [
  { term: '国家级', statutory: true },
  { term: '最高级', statutory: true },
  { term: '最佳', statutory: true },
  { term: '第一', statutory: false },
  { term: '唯一', statutory: false },
  { term: '顶级', statutory: false },
  { term: '销量冠军', statutory: false },
  { term: '全网最低', statutory: false },
];

export const CARDS_PER_ROOM = 4;
/** The product card changes every this many time buckets. */
export const CARD_BUCKETS = 2;
export const DEFAULT_BUCKET_MS = 3000;
/** Buckets of transcript a state carries (the scrolling window). */
const TRANSCRIPT_BUCKETS = 4;

export interface RoomOptions extends ListingOptions {
  /** Length of a time bucket in ms (default 3000). */
  bucketMs?: number;
}

export interface RoomCard {
  listing_index: number;
  platform: string;
  listing_id: string;
  listing_path: string;
  title: string;
  brand: string;
  model: string;
  ccc_numbers: string[];
  /** Price on the listing page. */
  listing_price: number;
  /** Price the room claims. Equal to listing_price unless the room has a room_price_mismatch problem. */
  room_price: number;
  claimed_price_text: string;
  claimed_discount: string;
}

export interface Room {
  index: number;
  room_id: string;
  path: string;
  title: string;
  host: { host_id: string; name: string; seller_id: string };
  seller: SellerInfo;
  cards: RoomCard[];
  base_viewers: number;
  /** Absolute terms this room's host uses (empty unless absolute_claim). */
  claim_terms: string[];
  problems: Problem[];
}

export interface RoomState {
  room_id: string;
  /** ms since epoch the state was computed for. */
  t: number;
  bucket: number;
  bucket_ms: number;
  viewer_count: number;
  card_index: number;
  card: RoomCard;
  transcript: { at: string; text: string }[];
}

/** Rooms for a marketplace of n listings: one per 50 listings; room r sells listings 4r..4r+3. */
export function roomCountFor(listings: number): number {
  return Math.max(0, Math.min(Math.floor(listings / CARDS_PER_ROOM), Math.ceil(listings / 50)));
}

export const roomIdOf = (r: number): string => String(8000 + r);
export function indexOfRoomId(id: string): number | null {
  if (!/^[1-9]\d{3,14}$/.test(id)) return null;
  const r = Number(id) - 8000;
  return Number.isSafeInteger(r) && r >= 0 ? r : null;
}

const HOST_NAMES = ['小鹿', '阿杰', '甜甜', '大刘', '晓雯', '老王', '可可', '米粒', '阿峰', '丽丽'];
const DISCOUNTS = ['限时8折', '直播间专享9折', '立减50元', '买一送一', '满199减30', '第二件半价'];

export function roomAt(seed: number, r: number, opts: ListingOptions = {}): Room {
  if (!Number.isSafeInteger(r) || r < 0) throw new RangeError(`room index must be a non-negative integer, got ${r}`);
  const rng = rngFor(seed, 'room', r);
  const rate = opts.clean ? 0 : (opts.problemRate ?? DEFAULT_PROBLEM_RATE);
  const kind: RoomProblemKind | null = rng.chance(rate) ? rng.pick(ROOM_PROBLEM_KINDS) : null;
  const seller = sellerAt(seed, hashKeys(seed, 'room-seller', r) % SELLER_POOL);
  const hostName = `${rng.pick(HOST_NAMES)}${rng.pick(['好物推荐', '直播间', '严选', '带货'])}`;
  const problems: Problem[] = [];
  const cards: RoomCard[] = [];
  for (let k = 0; k < CARDS_PER_ROOM; k++) {
    const l = listingAt(seed, r * CARDS_PER_ROOM + k, opts);
    const mismatch = kind === 'room_price_mismatch';
    const roomPrice = mismatch ? Math.max(1, Math.round(l.price * rng.float(0.45, 0.75))) : l.price;
    cards.push({
      listing_index: l.index,
      platform: l.platform,
      listing_id: l.listing_id,
      listing_path: l.path,
      title: l.title,
      brand: l.brand,
      model: l.model,
      ccc_numbers: l.ccc_numbers,
      listing_price: l.price,
      room_price: roomPrice,
      claimed_price_text: `直播间到手价 ${shortNumber(roomPrice)} 元`,
      claimed_discount: rng.pick(DISCOUNTS),
    });
  }
  if (kind === 'room_price_mismatch') {
    problems.push({
      kind,
      detail: { cards: cards.map((c) => ({ platform: c.platform, listing_id: c.listing_id, listing_price: c.listing_price, room_price: c.room_price })) },
    });
  }
  let claimTerms: string[] = [];
  if (kind === 'absolute_claim') {
    const a = rng.pick(ABSOLUTE_TERMS).term;
    const b = rng.pick(ABSOLUTE_TERMS).term;
    claimTerms = a === b ? [a] : [a, b];
    problems.push({ kind, detail: { terms: claimTerms, statutory: claimTerms.filter((t) => ABSOLUTE_TERMS.find((x) => x.term === t)?.statutory) } });
  }
  return {
    index: r,
    room_id: roomIdOf(r),
    path: `/live/room/${roomIdOf(r)}`,
    title: `${hostName}的直播间`,
    host: { host_id: `H${String(r).padStart(5, '0')}`, name: hostName, seller_id: seller.seller_id },
    seller,
    cards,
    base_viewers: rng.range(800, 60000),
    claim_terms: claimTerms,
    problems,
  };
}

const LINES: readonly ((c: RoomCard) => string)[] = [
  (c) => `家人们看过来，${c.brand}这款${c.model}今天直播间只要${shortNumber(c.room_price)}元！`,
  (c) => `${c.claimed_discount}，库存不多了，喜欢的赶紧拍`,
  () => '点点关注不迷路，主播每天晚上八点准时开播',
  (c) => `这款${c.model}我自己家里也在用，质量大家放心`,
  () => '有问题的宝宝可以在评论区留言，我一个个回答',
  (c) => `链接已经挂上了，${c.title.slice(0, 16)}，拍下就发货`,
  () => '七天无理由退换，运费险已经给大家安排上了',
];

function transcriptFor(seed: number, room: Room, bucket: number, bucketMs: number): { at: string; text: string }[] {
  const out: { at: string; text: string }[] = [];
  const rng = rngFor(seed, 'transcript', room.index, bucket);
  const card = room.cards[Math.floor(bucket / CARD_BUCKETS) % CARDS_PER_ROOM] as RoomCard;
  const n = 2 + rng.int(2);
  for (let j = 0; j < n; j++) {
    out.push({ at: new Date(bucket * bucketMs + Math.floor(((j + 0.5) * bucketMs) / (n + 1))).toISOString(), text: rng.pick(LINES)(card) });
  }
  if (room.claim_terms.length > 0) {
    // Every bucket of a claiming room has one claim, so any sample sees one.
    const term = rng.pick(room.claim_terms);
    out.push({ at: new Date(bucket * bucketMs + Math.floor((n * bucketMs) / (n + 1))).toISOString(), text: `这款${card.model}是${term}的品质，${term}！错过今天就没有了` });
  }
  return out;
}

/** What room r shows at time t (ms since epoch). */
export function roomStateAt(seed: number, r: number | Room, t: number, opts: RoomOptions = {}): RoomState {
  const room = typeof r === 'number' ? roomAt(seed, r, opts) : r;
  const bucketMs = opts.bucketMs ?? DEFAULT_BUCKET_MS;
  const bucket = Math.floor(t / bucketMs);
  const cardIndex = Math.floor(bucket / CARD_BUCKETS) % CARDS_PER_ROOM;
  const wave = 1 + 0.3 * Math.sin(bucket / 5 + room.index);
  const jitter = rngFor(seed, 'viewers', room.index, bucket).float(0.97, 1.03);
  const transcript: RoomState['transcript'] = [];
  const tIso = new Date(t).toISOString();
  for (let b = bucket - TRANSCRIPT_BUCKETS + 1; b <= bucket; b++) {
    for (const line of transcriptFor(seed, room, b, bucketMs)) if (line.at <= tIso) transcript.push(line); // not yet said
  }
  return {
    room_id: room.room_id,
    t,
    bucket,
    bucket_ms: bucketMs,
    viewer_count: Math.round(room.base_viewers * wave * jitter),
    card_index: cardIndex,
    card: room.cards[cardIndex] as RoomCard,
    transcript,
  };
}

export function roomTruth(room: Room, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'room',
    index: room.index,
    platform: 'livebuy',
    room_id: room.room_id,
    url: baseUrl + room.path,
    title: room.title,
    host: room.host,
    seller: room.seller,
    cards: room.cards.map((c) => ({
      platform: c.platform,
      listing_id: c.listing_id,
      url: baseUrl + c.listing_path,
      title: c.title,
      brand: c.brand,
      model: c.model,
      ccc_numbers: c.ccc_numbers,
      listing_price: c.listing_price,
      room_price: c.room_price,
      currency: 'CNY',
      claimed_price_text: c.claimed_price_text,
      claimed_discount: c.claimed_discount,
    })),
    problems: room.problems,
  };
}
