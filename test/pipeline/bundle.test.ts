// bin/bundle.js: how the CLI, the benches and worker threads run the project's TypeScript. A module keeps its
// own import.meta (paths relative to it work bundled), a dynamic import() loads when it is reached, an
// unchanged source reuses the bundle and a changed one is rebuilt.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundle } from '../../bin/bundle.js';
import { startWorker } from '../../pipeline/runtime/worker.ts';

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
  writeFileSync(join(dir, 'data.txt'), 'beside lib');
  writeFileSync(
    join(dir, 'lib.ts'),
    `import { readFileSync } from 'node:fs';
export const where: string = import.meta.url;
export const dir: string = import.meta.dirname;
export const data = readFileSync(new URL('./data.txt', import.meta.url), 'utf8');
export const version = 1;\n`,
  );
  writeFileSync(join(dir, 'later.ts'), `export const loadedAt: number = Date.now();\n(globalThis as any).__laterLoaded = true;\n`);
  writeFileSync(
    join(dir, 'entry.ts'),
    `export { where, dir, data, version } from './lib.ts';
export const self: string = import.meta.url;
export const later = () => import('./later.ts');\n`,
  );
  return dir;
}

describe('bin/bundle.js', () => {
  it('keeps each module its own import.meta, and a dynamic import loads only when reached', async () => {
    const dir = project();
    const url = await bundle(join(dir, 'entry.ts'));
    expect(url.pathname).toMatch(/node_modules\/\.cache\/shelfwatch\/entry-[0-9a-f]{16}\/entry\.mjs$/);
    const m = await import(url.href);
    expect(m.self).toBe(pathToFileURL(join(dir, 'entry.ts')).href);
    expect(m.where).toBe(pathToFileURL(join(dir, 'lib.ts')).href);
    expect(m.dir).toBe(dir);
    expect(m.data).toBe('beside lib');
    expect((globalThis as { __laterLoaded?: boolean }).__laterLoaded).toBeUndefined();
    await m.later();
    expect((globalThis as { __laterLoaded?: boolean }).__laterLoaded).toBe(true);
  });

  it('reuses the bundle while no source changed, and rebuilds when one did', async () => {
    const dir = project();
    const first = await bundle(join(dir, 'entry.ts'));
    expect((await bundle(join(dir, 'entry.ts'))).href).toBe(first.href);
    writeFileSync(join(dir, 'lib.ts'), `export const where = ''; export const dir = ''; export const data = ''; export const version = 2;\n`);
    // A different size is enough; the mtime is moved too, in case the clock did not tick.
    utimesSync(join(dir, 'lib.ts'), new Date(), new Date(Date.now() + 5_000));
    const second = await bundle(join(dir, 'entry.ts'));
    expect(second.href).not.toBe(first.href);
    expect((await import(second.href)).version).toBe(2);
  });

  it('a bundled module that bundles another (a stage starting its worker) uses the same cache', () => {
    // The project's own cache (ROOT/node_modules/.cache/shelfwatch), which bin/bundle.js finds from its own path.
    const cache = fileURLToPath(new URL('../../node_modules/.cache/shelfwatch', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
    writeFileSync(join(dir, 'inner.ts'), `export const x: number = 1;\n`);
    const bundleJs = JSON.stringify(fileURLToPath(new URL('../../bin/bundle.js', import.meta.url)));
    writeFileSync(join(dir, 'outer.ts'), `import { bundle } from ${bundleJs};\nconsole.log((await bundle(new URL('./inner.ts', import.meta.url))).pathname);\n`);
    const { SHELFWATCH_CACHE_DIR: _, ...env } = process.env;
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), join(dir, 'outer.ts')], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().startsWith(join(cache, 'inner-'))).toBe(true);
  });

  it('leaves a JavaScript file as it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
    writeFileSync(join(dir, 'plain.mjs'), 'export const x = 1;\n');
    expect((await bundle(join(dir, 'plain.mjs'))).href).toBe(pathToFileURL(join(dir, 'plain.mjs')).href);
  });
});

describe('bin/bundle.js cache elsewhere (SHELFWATCH_CACHE_DIR, or a read-only installation)', () => {
  it('writes the bundles there, and their package imports still resolve', () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'sw-cache-')), 'c');
    const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
    writeFileSync(join(dir, 'uses-package.ts'), `import { z } from 'zod';\nconsole.log(JSON.stringify({ ok: z.string().safeParse('x').success, at: import.meta.url }));\n`);
    // A fresh process: the cache directory is chosen once per process.
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), join(dir, 'uses-package.ts')], { encoding: 'utf8', env: { ...process.env, SHELFWATCH_CACHE_DIR: cache } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, at: pathToFileURL(join(dir, 'uses-package.ts')).href });
    expect(readdirSync(cache).some((f) => f.startsWith('uses-package-') && !f.endsWith('.json'))).toBe(true);
    expect(statSync(cache).mode & 0o077).toBe(0);
  });

  it('refuses a cache directory others can write', () => {
    const cache = mkdtempSync(join(tmpdir(), 'sw-cache-'));
    chmodSync(cache, 0o777);
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), fileURLToPath(new URL('../../pipeline/topics.ts', import.meta.url))], { encoding: 'utf8', env: { ...process.env, SHELFWATCH_CACHE_DIR: cache } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/writable by it alone/);
  });
});

describe('stack traces of bundled code name the TypeScript source', () => {
  /** A module whose function throws on its line 4 (the import before it moves the bundle's lines). */
  function thrower(dir: string, name: string, tail: string) {
    writeFileSync(join(dir, `${name}-lib.ts`), `export const unit: string = 'x';\n`);
    writeFileSync(join(dir, `${name}.ts`), `import { unit } from './${name}-lib.ts';\ninterface Shape { a: number }\nexport function fail(s: Shape): never {\n  throw new Error(\`failed at \${s.a} \${unit}\`);\n}\n${tail}`);
    return join(dir, `${name}.ts`);
  }

  it('in a process run by bin/run.js (as bin/shelfwatch.js runs the CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
    const file = thrower(dir, 'main-thrower', `fail({ a: 1 });\n`);
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/run.js', import.meta.url)), file], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('failed at 1 x');
    expect(r.stderr).toContain(`${file}:4:`);
  });

  it('in a worker thread started by startWorker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-bundle-'));
    const file = thrower(dir, 'worker-thrower', `fail({ a: 2 });\n`);
    const w = await startWorker(pathToFileURL(file), null);
    const err = await new Promise<Error>((resolve) => w.once('error', resolve));
    expect(err.message).toBe('failed at 2 x');
    expect(err.stack).toContain(`${file}:4:`);
  });
});
