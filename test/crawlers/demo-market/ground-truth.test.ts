// writeGroundTruth against slow and vanishing sinks: back-pressure honoured without listener leaks, and it
// stops when the sink goes away (a client hanging up on /ground-truth.ndjson).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeGroundTruth } from '../../../crawlers/demo-market/ground-truth.ts';
import { listingAt, listingTruth } from '../../../crawlers/demo-market/listings.ts';

const src = (listings: number, rooms = 0) => ({ seed: 2, listings, rooms, options: {}, baseUrl: 'http://demo.test' });

describe('writeGroundTruth', () => {
  it('writes every line through a slow sink and leaves no listeners', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(c, _e, cb) {
        chunks.push(String(c));
        setImmediate(cb);
      },
    });
    const progress: number[] = [];
    expect(await writeGroundTruth(src(3000, 5), sink, (d) => progress.push(d))).toBe(3005);
    const lines = chunks.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(3005);
    expect(JSON.parse(lines[2999]!)).toEqual(listingTruth(listingAt(2, 2999), 'http://demo.test'));
    expect(JSON.parse(lines[3004]!).kind).toBe('room');
    expect(progress.at(-1)).toBe(3005);
    expect([sink.listenerCount('drain'), sink.listenerCount('close'), sink.listenerCount('error')]).toEqual([0, 0, 0]);
  });

  it('stops when the sink is destroyed', async () => {
    const sink = new Writable({
      highWaterMark: 1024,
      write(_c, _e, cb) {
        setImmediate(cb);
      },
    });
    setTimeout(() => sink.destroy(), 20);
    const done = await writeGroundTruth(src(1_000_000), sink);
    expect(done).toBeLessThan(1_000_000);
  });
});
