// Streams the ground truth (one NDJSON line per listing, then one per livestream room) to a writable without
// building it in memory, honouring back-pressure. Used by the server's /ground-truth.ndjson and by the CLI's
// --ground-truth FILE.
// In: seed, counts, options, base URL, a Writable. Out: lines written; resolves when done or the sink closed.
import type { Writable } from 'node:stream';
import { listingAt, listingTruth, type ListingOptions } from './listings.ts';
import { roomAt, roomTruth } from './rooms.ts';

export interface GroundTruthSource {
  seed: number;
  listings: number;
  rooms: number;
  options: ListingOptions;
  baseUrl: string;
}

export async function writeGroundTruth(src: GroundTruthSource, out: Writable, onProgress?: (done: number, total: number) => void): Promise<number> {
  const total = src.listings + src.rooms;
  const BATCH = 500;
  let done = 0;
  for (let start = 0; start < total; start += BATCH) {
    if (out.destroyed || out.writableEnded) return done;
    let chunk = '';
    for (let k = start; k < Math.min(total, start + BATCH); k++) {
      const line =
        k < src.listings
          ? listingTruth(listingAt(src.seed, k, src.options), src.baseUrl)
          : roomTruth(roomAt(src.seed, k - src.listings, src.options), src.baseUrl);
      chunk += JSON.stringify(line) + '\n';
    }
    done = Math.min(total, start + BATCH);
    if (!out.write(chunk) && !(await drained(out))) return done;
    onProgress?.(done, total);
  }
  return done;
}

/** Resolves true on 'drain', false when the sink closes or fails first; leaves no listeners behind. */
function drained(out: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}
