// Evidence store: every raw page kept as fetched, content-addressed by its sha256 (the snapshot's
// content_hash), at <dir>/<first two hex>/<hash>.html.gz. Write-once: an existing file is never rewritten
// (same hash = same bytes), and a file appears only complete (written to a temp name, then hard-linked).
// In: hash + raw bytes. Out: the file path.
// The crawler writes evidence off the fetch path (before the page's snapshots are sent, after the fetch
// slot is free): creating a file costs ~1 ms on the VM disks we measured, more than parsing the page.
import { randomBytes } from 'node:crypto';
import { access, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

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
      try {
        await access(path);
        return { path, written: false };
      } catch {
        // not stored yet
      }
      const sub = join(dir, hash.slice(0, 2));
      if (!made.has(sub)) {
        await mkdir(sub, { recursive: true });
        made.add(sub);
      }
      const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, await gzipAsync(raw, { level: 4 }), { flag: 'wx' });
        // link() refuses an existing name: of two writers racing on one hash, the first one's file stays.
        await link(tmp, path);
        return { path, written: true };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { path, written: false };
        throw err;
      } finally {
        await rm(tmp, { force: true });
      }
    },
  };
}
