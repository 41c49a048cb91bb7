// Evidence store: every raw page kept as fetched, content-addressed by its sha256 (the snapshot's
// content_hash), at <dir>/<first two hex>/<hash>.html.gz. Write-once: an existing file is never rewritten
// (same hash = same bytes), and a file appears only complete (written to a temp name, then hard-linked).
// In: hash + raw bytes. Out: the file path.
// The writes happen on one worker thread per process (gzip, then exists / write / link / unlink as plain
// synchronous calls there): done on the crawler's thread, the file system calls and their promise plumbing
// cost about as much CPU as extracting the page (~0.6 ms a page measured in bench:crawl's profile), and
// creating a file can take a millisecond on VM disks.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface EvidenceStore {
  readonly dir: string;
  pathOf(hash: string): string;
  /** Stores the bytes under their hash unless already there. Returns the path and whether it was written now. */
  put(hash: string, raw: Uint8Array): Promise<{ path: string; written: boolean }>;
}

// Plain CommonJS run with `eval` (no loader needed, also under test runners that transform TypeScript).
// Messages: {jobs: [{id, path, sub, off, len}], bytes} (the pages' bytes back to back in one transferred
// buffer); replies: batches of {id, written} or {id, error, code}.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { randomBytes } = require('node:crypto');
const { gzipSync } = require('node:zlib');
const made = new Set();
function put(path, sub, raw) {
  if (fs.existsSync(path)) return false;
  if (!made.has(sub)) { fs.mkdirSync(sub, { recursive: true }); made.add(sub); }
  const tmp = path + '.' + randomBytes(4).toString('hex') + '.tmp';
  try {
    fs.writeFileSync(tmp, gzipSync(raw, { level: 4 }), { flag: 'wx' });
    // link() refuses an existing name: of two writers racing on one hash, the first one's file stays.
    try { fs.linkSync(tmp, path); return true; }
    catch (err) { if (err.code === 'EEXIST') return false; throw err; }
  } finally {
    try { fs.unlinkSync(tmp); } catch {}
  }
}
parentPort.on('message', ({ jobs, bytes }) => {
  const out = [];
  for (const m of jobs) {
    try { out.push({ id: m.id, written: put(m.path, m.sub, bytes.subarray(m.off, m.off + m.len)) }); }
    catch (err) { out.push({ id: m.id, error: String((err && err.message) || err), code: err && err.code }); }
  }
  parentPort.postMessage(out);
});
`;

interface Job {
  id: number;
  path: string;
  sub: string;
  raw: Uint8Array;
}
type Reply = { id: number; written: boolean } | { id: number; error: string; code?: string };

/** The process's evidence writer: started on first use, holds the process open only while writes are pending. */
function createWriter(): (job: Omit<Job, 'id'>) => Promise<boolean> {
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (written: boolean) => void; reject: (err: Error) => void }>();
  let batch: Job[] = [];
  const failAll = (err: Error): void => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const p = waiting.get(r.id);
        if (!p) continue;
        waiting.delete(r.id);
        if ('error' in r) p.reject(Object.assign(new Error(`evidence: ${r.error}`), { code: r.code }));
        else p.resolve(r.written);
      }
      if (waiting.size === 0) w.unref();
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => failAll(new Error(`evidence: writer thread exited with code ${code}`)));
    return w;
  };
  // Puts made within a few milliseconds travel to the writer as one message (each message costs ~0.1 ms of
  // the crawler thread's time, as much as the rest of the put), their bytes copied into one buffer that is
  // moved, not cloned (cloning a small Buffer copies the whole 8 KB pool slab it sits in).
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const jobs = batch;
    batch = [];
    let size = 0;
    for (const j of jobs) size += j.raw.byteLength;
    const bytes = new Uint8Array(size);
    let off = 0;
    const meta = jobs.map((j) => {
      bytes.set(j.raw, off);
      const m = { id: j.id, path: j.path, sub: j.sub, off, len: j.raw.byteLength };
      off += j.raw.byteLength;
      return m;
    });
    worker ??= start();
    worker.ref();
    worker.postMessage({ jobs: meta, bytes }, [bytes.buffer]);
  };
  return (job) =>
    new Promise<boolean>((resolve, reject) => {
      const id = ++nextId;
      waiting.set(id, { resolve, reject });
      batch.push({ id, ...job });
      if (batch.length >= MAX_BATCH) flush();
      else timer ??= setTimeout(flush, BATCH_MS);
    });
}

const MAX_BATCH = 64;
const BATCH_MS = 5;

let writer: ReturnType<typeof createWriter> | null = null;

export function createEvidenceStore(dir: string): EvidenceStore {
  const pathOf = (hash: string): string => {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`evidence: not a sha256 hex digest: ${hash.slice(0, 80)}`);
    return join(dir, hash.slice(0, 2), `${hash}.html.gz`);
  };
  return {
    dir,
    pathOf,
    async put(hash, raw) {
      const path = pathOf(hash);
      writer ??= createWriter();
      const written = await writer({ path, sub: join(dir, hash.slice(0, 2)), raw });
      return { path, written };
    },
  };
}
