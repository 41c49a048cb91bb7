// SinkBatcher logic with an in-memory insert function (pure logic: the real-server behaviour is in
// clickhouse-sink.integration.test.ts): triggers, per-row outcomes, isolation of bad rows, outages.
import { describe, expect, it } from 'vitest';
import { parseServerError } from '../../pipeline/clickhouse/errors.ts';
import type { Row } from '../../pipeline/clickhouse/rows.ts';
import { ClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { RowRejected, SinkBatcher, type FlushInfo } from '../../sinks/clickhouse/batcher.ts';

const opts = { maxRows: 1000, maxBytes: 1 << 20, maxWaitMs: 50, lingerMs: 0, maxWaiting: 100, streamInserts: false };
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

function recorder(fail?: (rows: Row[]) => Error | undefined) {
  const inserts: number[][] = [];
  const flushes: FlushInfo[] = [];
  const insert = async (_t: string, rs: Row[]) => {
    const e = fail?.(rs);
    if (e) throw e;
    inserts.push(rs.map((r) => r.id as number));
  };
  return { inserts, flushes, onFlush: (f: FlushInfo) => flushes.push(f), insert };
}

describe('SinkBatcher', () => {
  it.each([
    ['rows', { maxRows: 5 }, 'rows'],
    ['bytes', { maxBytes: 2048 }, 'bytes'],
    ['all writers waiting', { maxWaiting: 2 }, 'all_waiting'],
    ['linger', { lingerMs: 5, maxWaitMs: 10_000 }, 'linger'],
    ['max wait', { maxWaitMs: 20 }, 'max_wait'],
  ] as const)('flushes on %s, one INSERT for writes of several slices', async (_n, over, trigger) => {
    const r = recorder();
    const b = new SinkBatcher(r.insert, { ...opts, ...over }, r.onFlush);
    const a = b.write('t', rows(0, 3), 1024);
    const c = b.write('t', rows(3, 3), 1024);
    expect(await a).toEqual([null, null, null]);
    expect(await c).toEqual([null, null, null]);
    expect(r.inserts).toEqual([[0, 1, 2, 3, 4, 5]]);
    expect(r.flushes[0]!.trigger).toBe(trigger);
  });

  it('does not settle a write before its INSERT has finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const b = new SinkBatcher(async () => gate, { ...opts, maxRows: 1 });
    let settled = false;
    const w = b.write('t', rows(0, 1), 10).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    expect(b.waitingWriters).toBe(1);
    release();
    await w;
    expect(settled).toBe(true);
    expect(b.waitingWriters).toBe(0);
  });

  it('with inFlightBatches 2, a batch holding half the writers is written while the next one fills', async () => {
    const gates: (() => void)[] = [];
    const inserts: number[][] = [];
    const flushes: FlushInfo[] = [];
    const b = new SinkBatcher(
      (_t, rs) => new Promise<void>((res) => gates.push(() => (inserts.push(rs.map((r) => r.id as number)), res()))),
      { ...opts, maxWaiting: 4, inFlightBatches: 2, maxWaitMs: 60_000 },
      (f) => flushes.push(f),
    );
    const w1 = b.write('t', rows(0, 2), 1);
    const w2 = b.write('t', rows(2, 2), 1);
    expect(gates).toHaveLength(1); // the first batch is being written...
    const w3 = b.write('t', rows(4, 2), 1); // ...while the next one fills
    expect(b.bufferedRows).toBe(2);
    const w4 = b.write('t', rows(6, 2), 1);
    expect(gates).toHaveLength(2); // two INSERTs in flight at once
    gates[1]!();
    gates[0]!();
    expect(await Promise.all([w1, w2, w3, w4])).toEqual([[null, null], [null, null], [null, null], [null, null]]);
    expect(inserts.sort((x, y) => x[0]! - y[0]!)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    expect(flushes.map((f) => f.trigger).sort()).toEqual(['all_waiting', 'share_waiting']); // reported as they finish
  });

  it('keeps tables apart', async () => {
    const seen: string[] = [];
    const b = new SinkBatcher(async (t, rs) => void seen.push(`${t}:${rs.length}`), { ...opts, maxWaiting: 2 });
    await Promise.all([b.write('a', rows(0, 2), 1), b.write('b', rows(0, 3), 1)]);
    expect(seen.sort()).toEqual(['a:2', 'b:3']);
  });

  it.each([
    ['one bad row', [7]],
    ['several bad rows', [0, 13, 14, 31]],
    ['every row bad', Array.from({ length: 8 }, (_, i) => i)],
  ])('isolates %s: the others are written, each bad one reported to its writer', async (_n, bad) => {
    const n = bad.length === 8 ? 8 : 32;
    const badSet = new Set(bad);
    const r = recorder((rs) => (rs.some((x) => badSet.has(x.id as number)) ? parseServerError('Code: 117, e.displayText() = DB::Exception: bad row') ?? undefined : undefined));
    const b = new SinkBatcher(r.insert, { ...opts, maxWaiting: 2 }, r.onFlush);
    const [o1, o2] = await Promise.all([b.write('t', rows(0, n / 2), 1), b.write('t', rows(n / 2, n / 2), 1)]);
    const outcomes = [...o1, ...o2];
    expect(outcomes.map((o, i) => (o ? i : -1)).filter((i) => i >= 0)).toEqual(bad);
    expect(outcomes.filter(Boolean).every((o) => o instanceof ClickHouseError && o.code === 117 && o.dataError)).toBe(true);
    expect(r.inserts.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => !badSet.has(i)));
    expect(r.flushes.at(-1)!.rejected).toBe(bad.length);
  });

  it('rejects every writer of a batch on an outage, keeps nothing buffered, and works again afterwards', async () => {
    let down = true;
    const r = recorder(() => (down ? Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) : undefined));
    const b = new SinkBatcher(r.insert, { ...opts, maxWaiting: 2 }, r.onFlush);
    const res = await Promise.allSettled([b.write('t', rows(0, 2), 1), b.write('t', rows(2, 2), 1)]);
    expect(res.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect((res[0] as PromiseRejectedResult).reason.retryable).toBe(true);
    expect(b.bufferedRows).toBe(0);
    expect(b.waitingWriters).toBe(0);
    down = false;
    await Promise.all([b.write('t', rows(0, 2), 1), b.write('t', rows(2, 2), 1)]);
    expect(r.inserts).toEqual([[0, 1, 2, 3]]);
  });

  it('an outage in the middle of isolating bad rows fails the whole batch (retried later, not half-reported)', async () => {
    let calls = 0;
    const b = new SinkBatcher(async () => {
      calls++;
      if (calls === 1) throw parseServerError('Code: 27, e.displayText() = DB::Exception: Cannot parse input');
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }, { ...opts, maxRows: 4 });
    await expect(b.write('t', rows(0, 4), 1)).rejects.toMatchObject({ retryable: true });
  });

  it('close() writes what is buffered', async () => {
    const r = recorder();
    const b = new SinkBatcher(r.insert, { ...opts, maxWaitMs: 60_000 });
    const w = b.write('t', rows(0, 2), 1);
    await b.close();
    expect(await w).toEqual([null, null]);
    await expect(b.write('t', rows(0, 1), 1)).rejects.toThrow(/closed/);
  });

  it('streams: one INSERT request per batch, opened with its first rows, each slice sent as it joins', async () => {
    const streams: { table: string; columns: readonly string[]; text: string; ended: boolean }[] = [];
    const open = (table: string, columns: readonly string[]) => {
      const s = { table, columns, text: '', ended: false };
      streams.push(s);
      return { write: (t: string) => void (s.text += t), end: async () => void (s.ended = true), abort: () => {} };
    };
    const b = new SinkBatcher(async () => {}, { ...opts, maxWaiting: 2 }, () => {}, open);
    const first = b.write('t', rows(0, 2), 1);
    expect(streams).toHaveLength(1);
    expect(streams[0]!.text).toBe('{"id":0}\n{"id":1}\n'); // sent before the flush
    await Promise.all([first, b.write('t', rows(2, 1), 1)]);
    expect(streams).toEqual([{ table: 't', columns: ['id'], text: '{"id":0}\n{"id":1}\n{"id":2}\n', ended: true }]);
  });

  it('streams: a data error on the streamed INSERT falls back to isolating the bad rows with plain INSERTs', async () => {
    const open = () => ({ write: () => {}, end: async () => Promise.reject(parseServerError('Code: 117, e.displayText() = DB::Exception: bad')), abort: () => {} });
    const r = recorder((rs) => (rs.some((x) => x.id === 2) ? parseServerError('Code: 117, e.displayText() = DB::Exception: bad') ?? undefined : undefined));
    const b = new SinkBatcher(r.insert, { ...opts, maxRows: 4 }, r.onFlush, open);
    const out = await b.write('t', rows(0, 4), 1);
    expect(out.map((o) => (o instanceof ClickHouseError ? o.code : o))).toEqual([null, null, 117, null]);
    expect(r.inserts.flat().sort()).toEqual([0, 1, 3]);
  });

  it('streams: a stream that fails like an outage is retried once as a plain INSERT, which decides', async () => {
    const open = () => ({ write: () => {}, end: async () => Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })), abort: () => {} });
    const ok = recorder();
    expect(await new SinkBatcher(ok.insert, { ...opts, maxRows: 2 }, ok.onFlush, open).write('t', rows(0, 2), 1)).toEqual([null, null]);
    expect(ok.inserts).toEqual([[0, 1]]);
    const down = recorder(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await expect(new SinkBatcher(down.insert, { ...opts, maxRows: 2 }, down.onFlush, open).write('t', rows(0, 2), 1)).rejects.toMatchObject({ retryable: true });
  });

  it.each([
    ['streamed (the stream fails on the bad item)', true],
    ['plain INSERTs', false],
  ])('%s: an item the codec rejects (fails the contract) is reported with its reason, never inserted; the server still isolates its own bad rows', async (_n, streamed) => {
    // Items 1 and 4 have no row (codec), item 2 the server rejects; the stream fails as a whole.
    const codec = {
      row: (_t: string, item: Row) => {
        if (item.id === 1 || item.id === 4) throw new RowRejected('schema_mismatch', new Error(`item ${String(item.id)}`));
        return item;
      },
      columns: () => ['id'],
    };
    const open = () => ({ write: () => {}, end: async () => Promise.reject(parseServerError('Code: 117, e.displayText() = DB::Exception: bad')), abort: () => {} });
    const r = recorder((rs) => (rs.some((x) => x.id === 2) ? parseServerError('Code: 117, e.displayText() = DB::Exception: bad') ?? undefined : undefined));
    const b = new SinkBatcher(r.insert, { ...opts, maxRows: 6 }, r.onFlush, streamed ? open : undefined, codec);
    const out = await b.write('t', rows(0, 6), 1, streamed ? 'lines' : undefined);
    expect(out.map((o) => (o instanceof RowRejected ? o.reason : o instanceof ClickHouseError ? o.code : o))).toEqual([null, 'schema_mismatch', 117, null, 'schema_mismatch', null]);
    expect(r.inserts.flat().sort()).toEqual([0, 3, 5]);
    expect(r.flushes.at(-1)!.rejected).toBe(3);
  });
});
