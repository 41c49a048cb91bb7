import { describe, expect, it } from 'vitest';
import { readRecords, type FileRow } from '../../detectors/reference/files.ts';
import { referenceRow } from '../../detectors/reference/rows.ts';
import type { ReferenceKind } from '../../detectors/reference/views.ts';

const F = 'test/fixtures/reference';
const NOW = '2026-06-01T00:00:00.000Z';

async function load(kind: ReferenceKind, path: string) {
  const good: { line: number; key: string }[] = [];
  const bad: { line: number; reason: string }[] = [];
  for await (const row of readRecords(path) as AsyncIterable<FileRow>) {
    const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : referenceRow(kind, row.record, NOW);
    if (r.ok) good.push({ line: row.line, key: r.key });
    else bad.push({ line: row.line, reason: r.reason });
  }
  return { good, bad };
}

describe('reference files', () => {
  it('CSV: canonical keys, lists from cells, each bad row named by line and field', async () => {
    const { good, bad } = await load('certificates', `${F}/certificates.csv`);
    expect(good).toEqual([
      { line: 2, key: '2020010702123456' },
      { line: 3, key: '2021010709000001' },
      { line: 7, key: '2023010717000004' },
    ]);
    expect(bad.map((b) => b.line)).toEqual([4, 5, 6]);
    expect(bad[0]!.reason).toMatch(/number: not a CCC certificate number \(wrong_length\)/);
    expect(bad[1]!.reason).toMatch(/^category_code:/);
    expect(bad[2]!.reason).toMatch(/^status:/);
  });

  it('NDJSON: bad JSON, bad fields, unknown keys and non-objects are reported, good lines load', async () => {
    const { good, bad } = await load('recalls', `${F}/recalls.ndjson`);
    expect(good).toEqual([{ line: 1, key: 'R1' }]);
    expect(bad.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([
      [2, 'invalid JSON'],
      [4, 'published_on'],
      [5, 'expected a JSON object'],
      [6, 'extra'],
    ]);
  });

  it('JSON: the records array inside an object, streamed element by element, with line numbers', async () => {
    const { good, bad } = await load('licences', `${F}/licences.json`);
    expect(good).toEqual([
      { line: 2, key: '(鄂)XK12-001-00018' },
      { line: 4, key: 'XK06-001-00501' },
    ]);
    expect(bad).toEqual([{ line: 3, reason: 'number: not a production licence number (wrong_digit_count)' }]);
  });

  it('a root JSON array works too; a truncated one reports where', async () => {
    const { writeFile, mkdtemp } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/sw-ref-');
    await writeFile(`${dir}/a.json`, '[{"a":1},\n{"b":"x]y"}, {"c":[1,2]}]');
    await writeFile(`${dir}/b.json`, '[{"a":1},\n{"b":2');
    const rows = async (p: string) => {
      const out: FileRow[] = [];
      for await (const r of readRecords(p)) out.push(r);
      return out;
    };
    expect(await rows(`${dir}/a.json`)).toEqual([
      { line: 1, record: { a: 1 } },
      { line: 2, record: { b: 'x]y' } },
      { line: 2, record: { c: [1, 2] } },
    ]);
    const b = await rows(`${dir}/b.json`);
    expect(b[0]).toEqual({ line: 1, record: { a: 1 } });
    expect(b.at(-1)).toMatchObject({ error: expect.stringMatching(/truncated/) });
  });
});
