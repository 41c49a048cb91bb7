// `shelfwatch extract` as an operator runs it: one ListingSnapshot JSON line per product on stdout,
// problems on stderr, gzip and GBK files handled, a clear error for a missing file.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ListingSnapshot } from '../../../pipeline/contracts/index.ts';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run('node', ['bin/shelfwatch.js', ...args], { cwd: new URL('../../..', import.meta.url).pathname, env: { ...process.env, SHELFWATCH_LOG_LEVEL: 'error' } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const fixture = (name: string): string => `test/fixtures/pages/${name}`;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('shelfwatch extract', () => {
  it('prints one valid ListingSnapshot line per product', async () => {
    const r = await cli(['extract', fixture('microdata.html'), '--url', 'https://shop.example.cn/oh9']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => ListingSnapshot.parse(JSON.parse(l)));
    expect(lines.map((l) => [l.title, l.price, l.currency])).toEqual([
      ['Oil-filled heater OH-9', 1299, 'CNY'],
      ['Related: fan F-1', 199, 'CNY'],
    ]);
    expect(lines[0]!.url).toBe('https://shop.example.cn/oh9');
    expect(lines[0]!.crawler_kind).toBe('file');
  }, 30_000);

  it('reads .html.gz, reports broken JSON-LD on stderr and still prints the microdata product', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extract-cli-'));
    dirs.push(dir);
    const gz = join(dir, 'page.html.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('broken-jsonld-microdata.html'))));
    const r = await cli(['extract', gz]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/JSON-LD block 1/);
    const l = ListingSnapshot.parse(JSON.parse(r.stdout.trim()));
    expect([l.title, l.price, l.url]).toEqual(['电热水壶 WK-17', 129.9, 'http://file.invalid/page.html.gz']);
  }, 30_000);

  it('decodes a GBK page', async () => {
    const r = await cli(['extract', fixture('gbk-microdata.html')]);
    expect(JSON.parse(r.stdout.trim()).title).toBe('电饭煲 FB-30');
  }, 30_000);

  it('a missing file is one clear line and exit code 1', async () => {
    const r = await cli(['extract', 'no/such/file.html']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read no\/such\/file.html/);
    expect(r.stdout).toBe('');
  }, 30_000);

  it('a page without products says so on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'extract-cli-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'empty.html'), '<html><body>nothing</body></html>');
    const r = await cli(['extract', join(dir, 'empty.html')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no product found/);
  }, 30_000);
});
