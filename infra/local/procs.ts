// Process plumbing for the local services: pid files, "is this pid really ours" checks via /proc/<pid>/cmdline,
// detached spawning with output to a log file, graceful stop (SIGTERM, then SIGKILL), log tails for errors.
// Linux only (/proc); that is where the local services run. In: absolute paths. Out: pids, booleans.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The argv of a live process, or undefined when it is gone or a zombie. */
export function processArgv(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // state is the field after the parenthesised command name (which may itself hold spaces or parentheses)
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return undefined;
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/**
 * A process is ours when it is alive and every marker appears among its arguments (as a whole argument or a
 * substring of one). Markers are absolute paths from our state dir, so another project's Kafka or a recycled
 * pid never matches.
 */
export function isOurProcess(pid: number, markers: string[]): boolean {
  const argv = processArgv(pid);
  if (!argv) return false;
  return markers.every((m) => argv.some((a) => a === m || a.includes(m)));
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(file: string, pid: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** Pids of live processes in a process group (our services are started as group leaders). */
export function processGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest: state ppid pgrp ...
      if (rest[0] !== 'Z' && Number(rest[2]) === pgid) out.push(Number(e));
    } catch {
      // raced with exit
    }
  }
  return out;
}

export interface SpawnedProcess {
  pid: number;
  /** Resolves with the exit code/signal if the process ends while we are still watching. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

/**
 * Starts a long-running process detached from us (own process group, survives our exit), with stdout and
 * stderr appended to `outFile`. The caller writes the pid file.
 */
export function spawnDetached(cmd: string, args: string[], opts: { cwd: string; outFile: string; env: NodeJS.ProcessEnv }): SpawnedProcess {
  mkdirSync(dirname(opts.outFile), { recursive: true });
  const fd = openSync(opts.outFile, 'a');
  let exitedFlag = false;
  try {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', fd, fd] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => {
        exitedFlag = true;
        resolve({ code, signal });
      });
      child.once('error', () => {
        exitedFlag = true;
        resolve({ code: null, signal: null });
      });
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    return { pid: child.pid, exited, hasExited: () => exitedFlag };
  } finally {
    closeSync(fd);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Stops our process `pid` (and its process group): SIGTERM, wait up to `graceMs`, then SIGKILL.
 * Only call after isOurProcess() said yes. Returns how it ended.
 */
export async function stopProcess(pid: number, graceMs = 30_000): Promise<'terminated' | 'killed' | 'gone'> {
  const alive = () => processArgv(pid) !== undefined || processGroupMembers(pid).length > 0;
  if (!alive()) return 'gone';
  // We started it with detached:true, so pid is its own group leader: signal the group (a ClickHouse
  // watchdog, if any, and its server child).
  const target = processGroupMembers(pid).length > 0 ? -pid : pid;
  signal(target, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!alive()) return 'terminated';
    await sleep(200);
  }
  signal(target, 'SIGKILL');
  signal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(); i++) await sleep(100);
  return 'killed';
}

/** Last `n` lines of a text file ('' when missing). */
export function tailFile(file: string, n = 20): string {
  if (!existsSync(file)) return '';
  try {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** "last 20 lines of <file>:\n..." for each non-empty file, for error messages. */
export function describeLogs(files: string[], n = 20): string {
  const parts: string[] = [];
  for (const f of files) {
    const t = tailFile(f, n);
    if (t) parts.push(`--- last ${n} lines of ${f} ---\n${t}`);
  }
  return parts.length ? parts.join('\n') : `(no output in ${files.join(', ')})`;
}

/**
 * A simple cross-process lock (a file created with O_EXCL holding the owner's pid), so two `infra up` at once
 * don't both start a server. A lock whose owner is dead is taken over.
 */
export async function withLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readPidFile(file);
      const stale = owner !== undefined && owner !== process.pid && processArgv(owner) === undefined;
      if (stale) {
        removeFile(file); // stale: its owner died
        continue;
      }
      if (Date.now() > deadline) return Promise.reject(new LockTimeout(file, owner));
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    removeFile(file);
  }
}

export class LockTimeout extends Error {
  constructor(
    readonly file: string,
    readonly owner: number | undefined,
  ) {
    super(`another shelfwatch process (pid ${owner ?? '?'}) holds ${file}`);
  }
}
