// Test helper: run SQL on chdb, the current ClickHouse engine in-process (PyPI `chdb`, pinned in
// requirements-dev.txt), to check that what we run on the local 18.16 server also runs on current ClickHouse.
// In: SQL statements. Out: the server version and each statement's rows (JSONEachRow objects).
// Python: $SHELFWATCH_PYTHON, else <repo>/.venv/bin/python
//   (python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt).
// Each call is a fresh session in a temp dir: statements in one call share state, calls don't.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNNER = join(ROOT, 'test/support/chdb_runner.py');

export function chdbPython(): string {
  return process.env.SHELFWATCH_PYTHON ?? join(ROOT, '.venv/bin/python');
}

export class ChdbError extends Error {
  override name = 'ChdbError';
  constructor(
    message: string,
    /** Index of the failing statement (-1: the runner itself failed). */
    readonly index: number,
    readonly statement: string | undefined,
  ) {
    super(message);
  }
}

export interface ChdbResult {
  version: string;
  results: Record<string, unknown>[][];
}

/** Why chdb can't run here, or null when it can. */
export function chdbUnavailable(): string | null {
  const py = chdbPython();
  if (!existsSync(py)) {
    return `no Python at ${py}: run \`python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt\` or set SHELFWATCH_PYTHON`;
  }
  return null;
}

export async function runOnChdb(statements: string[], timeoutMs = 120_000): Promise<ChdbResult> {
  const missing = chdbUnavailable();
  if (missing) throw new ChdbError(missing, -1, undefined);
  const child = spawn(chdbPython(), [RUNNER], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolveExit, reject) => {
    child.on('error', reject);
    child.on('close', resolveExit);
    child.stdin.end(JSON.stringify(statements));
  }).finally(() => clearTimeout(timer));
  const stdout = Buffer.concat(out).toString('utf8').trim();
  let parsed: { version?: string; results?: Record<string, unknown>[][]; error?: string; index?: number };
  try {
    parsed = JSON.parse(stdout.split('\n').pop() ?? '');
  } catch {
    throw new ChdbError(`chdb runner exited ${code}: ${Buffer.concat(err).toString('utf8').slice(-2000) || stdout.slice(-2000)}`, -1, undefined);
  }
  if (code !== 0 || parsed.error) {
    const i = parsed.index ?? -1;
    throw new ChdbError(`chdb statement ${i} failed: ${parsed.error ?? `exit ${code}`}`, i, statements[i]);
  }
  return { version: parsed.version ?? '', results: parsed.results ?? [] };
}

/** An INSERT statement with JSONEachRow data inline (how rows reach chdb). */
export function insertStatement(table: string, rows: readonly Record<string, unknown>[]): string {
  const columns = Object.keys(rows[0] ?? {}).map((c) => '`' + c + '`');
  return `INSERT INTO ${table} (${columns.join(', ')}) FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}`;
}
