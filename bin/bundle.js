// Runs the project's TypeScript without a loader. In: a .ts entry. Out: the file URL of its bundle.
// The entry is bundled with esbuild (the compiler tsx uses) into ES modules, packages left as imports and
// each dynamic import() its own chunk (so a command's packages load only when it runs), written
// content-addressed under node_modules/.cache/shelfwatch/ (inside the project, so those imports resolve from
// node_modules). Where that is not writable (an installation owned by another user), or when
// SHELFWATCH_CACHE_DIR names a directory, the bundles go there instead (default: a private directory under
// the system's temp dir), with a link to the project's node_modules beside them. Each module keeps its own import.meta.url / dirname / filename (its source
// file's), so paths relative to a module work as they do unbundled. A bundle is rebuilt only when one of its
// source files changed (their sizes and mtimes are recorded beside it). Each output has its source map.
// Why: under the tsx loader a process pays for a loader thread and every module compiled in it (~35 MB RSS
// in a stage process, measured in bench:detect), and a worker thread pays again (+62 MB against +30 MB
// bundled for the detect worker).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A directory only we can write, with the project's node_modules linked in so the bundles' imports resolve. */
function privateCache(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  // A directory someone else made (or can write) could hold code we would run: refuse it.
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) {
    throw new Error(`bundle cache ${dir} must be a directory owned by this user and writable by it alone (set SHELFWATCH_CACHE_DIR to another)`);
  }
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
  }
  return dir;
}

function cacheDir() {
  if (process.env.SHELFWATCH_CACHE_DIR) return privateCache(resolve(process.env.SHELFWATCH_CACHE_DIR));
  const inProject = join(ROOT, 'node_modules', '.cache', 'shelfwatch');
  try {
    mkdirSync(inProject, { recursive: true });
    accessSync(inProject, constants.W_OK);
    return inProject;
  } catch {
    return privateCache(join(tmpdir(), `shelfwatch-cache-${process.getuid?.() ?? 'user'}`));
  }
}
let CACHE;
const TS = /\.[cm]?ts$/;

/**
 * esbuild plugin: import.meta.url / dirname / filename of each of the project's modules (TypeScript, and
 * JavaScript such as this file, which a bundled stage imports to start its worker) become its source file's.
 * Without it for .js, this file's ROOT was the bundle's directory and the worker's bundle went into a cache
 * nested in the cache.
 */
const importMetaOfSource = {
  name: 'import-meta-of-source',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const src = readFileSync(args.path, 'utf8');
      const of = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path };
      return { contents: src.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, p) => JSON.stringify(of[p])), loader: TS.test(args.path) ? 'ts' : 'js' };
    });
  },
};

const sha = (data) => createHash('sha256').update(data).digest('hex').slice(0, 16);

/** Written under a temporary name and renamed: a process starting beside this one never reads half a file. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** The bundle recorded in `stampFile` if none of its sources changed since, else undefined. */
function unchanged(stampFile) {
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    for (const [path, size, mtimeMs] of stamp.inputs) {
      const st = statSync(path);
      if (st.size !== size || st.mtimeMs !== mtimeMs) return undefined;
    }
    statSync(stamp.output);
    return stamp.output;
  } catch {
    return undefined;
  }
}

/**
 * The file URL to import (or start a worker on) for `entry`: a .ts entry's bundle, built if needed; any other
 * file as it is.
 * @param {URL | string} entry
 * @returns {Promise<URL>}
 */
export async function bundle(entry) {
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : resolve(entry);
  if (!TS.test(entryPath)) return pathToFileURL(entryPath);
  const name = basename(entryPath).replace(TS, '');
  CACHE ??= cacheDir();
  const stampFile = join(CACHE, `${name}-${sha(entryPath)}.stamp.json`);
  const cached = unchanged(stampFile);
  if (cached) return pathToFileURL(cached);
  const outdir = join(CACHE, 'build');
  const out = await build({
    entryPoints: [entryPath],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    // Stack traces name the .ts file and line (the processes enable source maps: bin/shelfwatch.js, bin/run.js,
    // bin/worker-entry.js); the sources are not copied into the maps, they are beside them in the project.
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [importMetaOfSource],
  });
  // One directory per build, named by the hash of everything in it.
  const h = createHash('sha256');
  for (const f of out.outputFiles) h.update(relative(outdir, f.path)).update(f.contents);
  const dir = join(CACHE, `${name}-${h.digest('hex').slice(0, 16)}`);
  const file = join(dir, `${name}.mjs`);
  try {
    statSync(file);
  } catch {
    const entryOut = join(outdir, `${name}.mjs`);
    for (const f of out.outputFiles) {
      if (f.path === entryOut) continue;
      mkdirSync(dirname(join(dir, relative(outdir, f.path))), { recursive: true });
      writeAtomic(join(dir, relative(outdir, f.path)), f.contents);
    }
    // The entry last: its presence says the directory is complete.
    mkdirSync(dir, { recursive: true });
    writeAtomic(file, out.outputFiles.find((f) => f.path === entryOut).contents);
  }
  const inputs = Object.keys(out.metafile.inputs).map((p) => {
    const abs = resolve(ROOT, p);
    const st = statSync(abs);
    return [abs, st.size, st.mtimeMs];
  });
  writeAtomic(stampFile, JSON.stringify({ output: file, inputs }));
  return pathToFileURL(file);
}
