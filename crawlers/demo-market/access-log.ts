// Every request the demo marketplace receives: method, Host header, path, status, user agent. Kept in a
// bounded in-memory ring (tests read it to prove a crawler fetched nothing off its allow-list) and optionally
// appended to a file as NDJSON.
// In: requests (via `record`). Out: `entries()`, `hosts()`, `offAllowList()`.
import { createWriteStream, type WriteStream } from 'node:fs';

export interface AccessEntry {
  at: string;
  method: string;
  /** The Host header as sent ('' when missing). */
  host: string;
  /** Path + query as requested. */
  path: string;
  /** 0 until the response is finished (or when the client went away first). */
  status: number;
  user_agent: string;
}

export interface AccessLog {
  record(entry: Omit<AccessEntry, 'status'>): AccessEntry;
  finish(entry: AccessEntry, status: number): void;
  /** Oldest first; at most `capacity` entries. */
  entries(): AccessEntry[];
  /** Requests seen since start (including those that fell out of the ring). */
  readonly total: number;
  /** Distinct Host headers seen. */
  hosts(): string[];
  /** Entries whose Host header's host name is not in `allowed` (names or name:port). */
  offAllowList(allowed: readonly string[]): AccessEntry[];
  clear(): void;
  close(): Promise<void>;
}

export function createAccessLog(capacity = 100_000, file?: string): AccessLog {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`access log capacity must be a positive integer, got ${capacity}`);
  const ring: AccessEntry[] = [];
  let start = 0;
  let total = 0;
  const out: WriteStream | undefined = file ? createWriteStream(file, { flags: 'a' }) : undefined;
  return {
    record(e) {
      const entry: AccessEntry = { ...e, status: 0 };
      if (ring.length < capacity) ring.push(entry);
      else {
        ring[start] = entry;
        start = (start + 1) % capacity;
      }
      total++;
      return entry;
    },
    finish(entry, status) {
      entry.status = status;
      out?.write(JSON.stringify(entry) + '\n');
    },
    entries: () => [...ring.slice(start), ...ring.slice(0, start)],
    get total() {
      return total;
    },
    hosts: () => [...new Set(ring.map((e) => e.host))],
    offAllowList(allowed) {
      const ok = new Set(allowed.map((a) => a.toLowerCase()));
      return ring.filter((e) => {
        const h = e.host.toLowerCase();
        const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0] ?? '';
        return !ok.has(h) && !ok.has(name);
      });
    },
    clear() {
      ring.length = 0;
      start = 0;
    },
    close: () => new Promise<void>((resolve) => (out ? out.end(() => resolve()) : resolve())),
  };
}
