// What price_anomaly remembers per listing (last price and time, alert state, last jump), packed.
// In: set(listing key, ListingPriceState) after each snapshot; get(listing key) before the next one.
// Out: a ListingPriceState equal field by field to what was set, or undefined.
// Why: one object per listing (five fields, two of them boxed doubles) plus its Map entry cost ~170 bytes a
// listing, 85 MB at the default bound of 500k. Here a listing is a slot in parallel typed arrays (33 bytes)
// and the Map only maps its key to the slot number. Same bound and recency as the plain Map it replaced:
// set() refreshes a listing, and past `max` (the detector's maxListings, given per call like before, so one
// state passed in deps follows the config of the detector using it) the least recently set one goes and its
// slot is reused; the arrays grow by doubling up to the most listings ever held.
import type { ListingPriceState } from './price-anomaly.ts';

const IN_ALERT = 1;
const HAS_ALERTED_PRICE = 2;
const HAS_JUMP = 4;

export class ListingPriceStore {
  private readonly slots = new Map<string, number>();
  private lastPrice: Float64Array;
  private lastAt: Float64Array;
  private alertedPrice: Float64Array;
  private lastJumpAt: Float64Array;
  private flags: Uint8Array;
  private used = 0;

  constructor() {
    const cap = 1024;
    this.lastPrice = new Float64Array(cap);
    this.lastAt = new Float64Array(cap);
    this.alertedPrice = new Float64Array(cap);
    this.lastJumpAt = new Float64Array(cap);
    this.flags = new Uint8Array(cap);
  }

  get size(): number {
    return this.slots.size;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  get(key: string): ListingPriceState | undefined {
    const i = this.slots.get(key);
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
  set(key: string, s: ListingPriceState, max: number): void {
    let i = this.slots.get(key);
    if (i !== undefined) this.slots.delete(key); // re-inserted below: most recently set goes last
    else if (this.slots.size >= max && this.slots.size > 0) {
      const oldest = this.slots.keys().next().value!;
      i = this.slots.get(oldest)!;
      this.slots.delete(oldest);
    } else {
      i = this.used++;
      if (i >= this.flags.length) this.grow();
    }
    this.slots.set(key, i);
    this.lastPrice[i] = s.lastPrice;
    this.lastAt[i] = s.lastAt;
    this.alertedPrice[i] = s.alertedPrice ?? 0;
    this.lastJumpAt[i] = s.lastJumpAt ?? 0;
    this.flags[i] = (s.inAlert ? IN_ALERT : 0) | (s.alertedPrice !== null ? HAS_ALERTED_PRICE : 0) | (s.lastJumpAt !== null ? HAS_JUMP : 0);
  }

  private grow(): void {
    const cap = this.flags.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.lastPrice = f64(this.lastPrice);
    this.lastAt = f64(this.lastAt);
    this.alertedPrice = f64(this.alertedPrice);
    this.lastJumpAt = f64(this.lastJumpAt);
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
  }
}
