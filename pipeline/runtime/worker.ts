// Starting a worker thread on one of the project's TypeScript modules.
// In: the module's URL and its workerData. Out: a Worker.
// A worker does not inherit the tsx loader the CLI runs under, and one that registers tsx itself pays for a
// second loader and every module compiled again (+62 MB RSS measured for the detect worker). So a .ts entry
// is bundled once with esbuild (the compiler tsx uses) into one ES module, dependencies left as imports, and
// written content-addressed under node_modules/.cache/shelfwatch/ (inside the project, so those imports
// resolve from node_modules); the worker starts on that file (+30 MB). A .js entry starts as it is.
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/shelfwatch/', import.meta.url));

/** The file a worker runs for `entry`: the entry itself, or for TypeScript its bundle (built on first use). */
export async function workerEntry(entry: URL): Promise<URL> {
  if (!entry.pathname.endsWith('.ts')) return entry;
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: [fileURLToPath(entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', keepNames: true, write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.contents;
  const file = join(CACHE_DIR, `${basename(entry.pathname, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Written under a temporary name and renamed: a process starting beside this one never runs half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  return pathToFileURL(file);
}

/** A worker thread on `entry` (TypeScript or JavaScript) with `workerData`. */
export async function startWorker(entry: URL, workerData: unknown): Promise<Worker> {
  return new Worker(await workerEntry(entry), { workerData });
}
