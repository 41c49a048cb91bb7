import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvidenceStore } from '../../../crawlers/crawl/evidence.ts';
import { contentHash } from '../../../pipeline/contracts/common.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('evidence store', () => {
  it('stores raw bytes gzipped under <hh>/<hash>.html.gz, write-once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-'));
    dirs.push(dir);
    const store = createEvidenceStore(dir);
    const raw = Buffer.from('<html>证据 evidence</html>');
    const hash = contentHash(raw);
    const first = await store.put(hash, raw);
    expect(first).toEqual({ path: join(dir, hash.slice(0, 2), `${hash}.html.gz`), written: true });
    expect(gunzipSync(readFileSync(first.path)).equals(raw)).toBe(true);
    const mtime = statSync(first.path).mtimeMs;
    const second = await store.put(hash, Buffer.from('different bytes under the same name'));
    expect(second.written).toBe(false);
    expect(statSync(first.path).mtimeMs).toBe(mtime);
    expect(gunzipSync(readFileSync(first.path)).equals(raw)).toBe(true);
  });

  it('writes the same page concurrently once, leaving no temp files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evidence-'));
    dirs.push(dir);
    const store = createEvidenceStore(dir);
    const raw = Buffer.from('x'.repeat(10000));
    const hash = contentHash(raw);
    await Promise.all(Array.from({ length: 8 }, () => store.put(hash, raw)));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(dir, hash.slice(0, 2)))).toEqual([`${hash}.html.gz`]);
    expect(existsSync(store.pathOf(hash))).toBe(true);
  });

  it.each([['../../etc/passwd'], ['ABC'], ['']])('refuses %j as a hash', (hash) => {
    expect(() => createEvidenceStore('/tmp/x').pathOf(hash)).toThrow(/sha256/);
  });
});
