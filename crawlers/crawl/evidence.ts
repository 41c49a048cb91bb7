// Evidence store: every raw page kept as fetched, content-addressed by its sha256 (the snapshot's
// content_hash), at <dir>/<first two hex>/<hash>.html.gz. Write-once: an existing file is never rewritten
// (same hash = same bytes), and a file appears only complete (written to a temp name, then renamed).
// In: hash + raw bytes. Out: the file path.
// The file operations are synchronous on purpose: a page is ~10-100 KB and the four calls take well under a
// millisecond, while the async versions queue behind each other in libuv's 4-thread pool under a crawl's
// concurrency (measured: ~30 ms per page at 8 pages in flight, the crawler's main cost).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface EvidenceStore {
  readonly dir: string;
  pathOf(hash: string): string;
  /** Stores the bytes under their hash unless already there. Returns the path and whether it was written now. */
  put(hash: string, raw: Uint8Array): Promise<{ path: string; written: boolean }>;
}

export function createEvidenceStore(dir: string): EvidenceStore {
  const made = new Set<string>();
  const pathOf = (hash: string): string => {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`evidence: not a sha256 hex digest: ${hash.slice(0, 80)}`);
    return join(dir, hash.slice(0, 2), `${hash}.html.gz`);
  };
  return {
    dir,
    pathOf,
    async put(hash, raw) {
      const path = pathOf(hash);
      if (existsSync(path)) return { path, written: false };
      const sub = join(dir, hash.slice(0, 2));
      if (!made.has(sub)) {
        mkdirSync(sub, { recursive: true });
        made.add(sub);
      }
      const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        writeFileSync(tmp, gzipSync(raw, { level: 6 }), { flag: 'wx' });
        renameSync(tmp, path);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
      return { path, written: true };
    },
  };
}
