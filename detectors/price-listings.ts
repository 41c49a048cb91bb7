// What price_anomaly remembers per listing (last price and time, alert state, last jump), packed.
// In: set(platform, listing id, ListingPriceState) after each snapshot; get(platform, listing id) before the
// next one. Out: a ListingPriceState equal field by field to what was set, or undefined.
// Why: one object per listing (five fields, two of them boxed doubles) plus its Map entry cost ~170 bytes a
// listing, 85 MB at the default bound of 500k. Here a listing is a slot in parallel typed arrays, found
// through a Map per platform keyed by the snapshot's own listing_id string: livestream_risk's memory keys by
// that same string, so the two share it, where a 'platform:id' key was a string of its own per listing
// (~70 bytes, a fifth of this store). The least recently set listing goes first past `max` (the detector's
// maxListings, given per call, so one state passed in deps follows the config of the detector using it):
// recency is a doubly linked list over the slots (two more typed arrays), since the maps are per platform.
// The arrays grow by doubling up to the most listings ever held; an evicted listing's slot is reused.
import type { ListingPriceState } from './price-anomaly.ts';

const IN_ALERT = 1;
const HAS_ALERTED_PRICE = 2;
const HAS_JUMP = 4;

export class ListingPriceStore {
  /** platform -> listing id -> slot. */
  private readonly byPlatform = new Map<string, Map<string, number>>();
  /** Per slot: its listing id and its platform's map (to drop it when evicted). */
  private readonly ids: string[] = [];
  private readonly mapOf: Map<string, number>[] = [];
  private lastPrice: Float64Array;
  private lastAt: Float64Array;
  private alertedPrice: Float64Array;
  private lastJumpAt: Float64Array;
  private flags: Uint8Array;
  /** Recency: slots from the least (oldest) to the most recently set (newest); -1 ends the list. */
  private older: Int32Array;
  private newer: Int32Array;
  private oldest = -1;
  private newest = -1;
  private used = 0;
  private count = 0;

  constructor() {
    const cap = 1024;
    this.lastPrice = new Float64Array(cap);
    this.lastAt = new Float64Array(cap);
    this.alertedPrice = new Float64Array(cap);
    this.lastJumpAt = new Float64Array(cap);
    this.flags = new Uint8Array(cap);
    this.older = new Int32Array(cap);
    this.newer = new Int32Array(cap);
  }

  get size(): number {
    return this.count;
  }

  has(platform: string, listingId: string): boolean {
    return this.byPlatform.get(platform)?.has(listingId) ?? false;
  }

  get(platform: string, listingId: string): ListingPriceState | undefined {
    const i = this.byPlatform.get(platform)?.get(listingId);
    if (i === undefined) return undefined;
    const f = this.flags[i]!;
    return {
      lastPrice: this.lastPrice[i]!,
      lastAt: this.lastAt[i]!,
      inAlert: (f & IN_ALERT) !== 0,
      alertedPrice: f & HAS_ALERTED_PRICE ? this.alertedPrice[i]! : null,
      lastJumpAt: f & HAS_JUMP ? this.lastJumpAt[i]! : null,
    };
  }

  /** Records the listing's state as the most recent; past `max` listings the least recent one is dropped. */
  set(platform: string, listingId: string, s: ListingPriceState, max: number): void {
    let map = this.byPlatform.get(platform);
    if (!map) this.byPlatform.set(platform, (map = new Map()));
    let i = map.get(listingId);
    if (i !== undefined) this.unlink(i);
    else {
      if (this.count >= max && this.oldest >= 0) {
        // The least recently set listing's slot serves this one.
        i = this.oldest;
        this.unlink(i);
        this.mapOf[i]!.delete(this.ids[i]!);
        this.count--;
      } else {
        i = this.used++;
        if (i >= this.flags.length) this.grow();
      }
      map.set(listingId, i);
      this.ids[i] = listingId;
      this.mapOf[i] = map;
      this.count++;
    }
    this.append(i);
    this.lastPrice[i] = s.lastPrice;
    this.lastAt[i] = s.lastAt;
    this.alertedPrice[i] = s.alertedPrice ?? 0;
    this.lastJumpAt[i] = s.lastJumpAt ?? 0;
    this.flags[i] = (s.inAlert ? IN_ALERT : 0) | (s.alertedPrice !== null ? HAS_ALERTED_PRICE : 0) | (s.lastJumpAt !== null ? HAS_JUMP : 0);
  }

  private unlink(i: number): void {
    const o = this.older[i]!;
    const n = this.newer[i]!;
    if (o >= 0) this.newer[o] = n;
    else this.oldest = n;
    if (n >= 0) this.older[n] = o;
    else this.newest = o;
  }

  private append(i: number): void {
    this.older[i] = this.newest;
    this.newer[i] = -1;
    if (this.newest >= 0) this.newer[this.newest] = i;
    else this.oldest = i;
    this.newest = i;
  }

  private grow(): void {
    const cap = this.flags.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.lastPrice = f64(this.lastPrice);
    this.lastAt = f64(this.lastAt);
    this.alertedPrice = f64(this.alertedPrice);
    this.lastJumpAt = f64(this.lastJumpAt);
    this.older = i32(this.older);
    this.newer = i32(this.newer);
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
  }
}
