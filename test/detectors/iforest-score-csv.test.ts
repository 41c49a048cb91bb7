import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvInputError, parseNumber, readFeatureTable, scoreTable } from '../../detectors/iforest/score-csv.ts';

describe('parseNumber', () => {
  it.each([
    ['1', 1],
    [' -2.5 ', -2.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['0x10', null],
    ['', null],
    ['1,5', null],
    ['Infinity', null],
    ['12abc', null],
  ])('%j -> %j', (text, want) => {
    expect(parseNumber(text)).toBe(want);
  });
});

describe('readFeatureTable', () => {
  const csv = 'id,a,b,name\n1,1,2,x\n2,1.5,2.1,y\n3,oops,2,z\n\n4,100,200,w\n5,1,2\n6,,3,v\n';

  it('uses numeric columns, skips text ones, reports bad rows with line numbers and keeps the rest', () => {
    const t = readFeatureTable(csv, ['id']);
    expect(t.features).toEqual(['a', 'b']);
    expect(t.skippedColumns).toEqual(['name']);
    expect(t.rows.map((r) => r !== null)).toEqual([true, true, false, true, false, false]);
    expect(t.bad).toEqual([
      { row: 2, line: 4, reason: 'column a is not a number: "oops"' },
      { row: 4, line: 7, reason: '3 fields, the header has 4' },
      { row: 5, line: 8, reason: 'column a is empty' },
    ]);
  });

  it.each([
    ['', [], /empty/],
    ['a,b\n1,2\n', ['c'], /--exclude names no column: c/],
    ['name\nx\ny\n', [], /no numeric column/],
  ])('rejects %j (exclude %j)', (text, exclude, msg) => {
    expect(() => readFeatureTable(text, exclude)).toThrow(CsvInputError);
    expect(() => readFeatureTable(text, exclude)).toThrow(msg);
  });

  it('scores one entry per data row, in order, null for bad rows', () => {
    const scores = scoreTable(readFeatureTable(csv, ['id']), { seed: 1 });
    expect(scores).toHaveLength(6);
    expect(scores[2]).toBeNull();
    expect(scores[3]!).toBeGreaterThan(scores[0]!);
  });
});

// Each case spawns the CLI (about a second each, more on a loaded machine).
describe('shelfwatch score-outliers', { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'score-outliers-'));
  const file = join(dir, 'in.csv');
  const rows = ['id,x,y,label'];
  for (let i = 0; i < 300; i++) rows.push(`${i},${(i * 37) % 17},${(i * 11) % 13},0`);
  rows.push('300,500,-400,1', '301,bad,1,0');
  writeFileSync(file, rows.join('\n') + '\n');
  const cli = (...args: string[]) => spawnSync('node', ['bin/shelfwatch.js', '--log-level', 'silent', 'score-outliers', file, ...args], { encoding: 'utf8' });

  it('writes row,score per input row in order, reports the bad row by line, exits 2', () => {
    const r = cli('--exclude', 'id', '--exclude', 'label', '--seed', '3');
    expect(r.status).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,score');
    expect(lines).toHaveLength(1 + 302);
    expect(lines[302]).toBe('301,');
    const scores = lines.slice(1, 302).map((l) => Number(l.split(',')[1]));
    expect(scores[300]).toBe(Math.max(...scores));
    expect(r.stderr).toContain(':303: row 301 skipped: column x is not a number');
  });

  it('same seed, same output; --no-subsample changes it', () => {
    const a = cli('--exclude', 'id', '--exclude', 'label', '--seed', '5').stdout;
    expect(cli('--exclude', 'id', '--exclude', 'label', '--seed', '5').stdout).toBe(a);
    expect(cli('--exclude', 'id', '--exclude', 'label', '--seed', '5', '--no-subsample').stdout).not.toBe(a);
  });

  it('names a missing file', () => {
    const r = spawnSync('node', ['bin/shelfwatch.js', 'score-outliers', join(dir, 'nope.csv')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*nope\.csv/);
  });

  it('--help describes the command', () => {
    expect(execFileSync('node', ['bin/shelfwatch.js', 'score-outliers', '--help'], { encoding: 'utf8' })).toMatch(/--no-subsample/);
  });
});
