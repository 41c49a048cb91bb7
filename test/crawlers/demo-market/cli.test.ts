// `shelfwatch demo-market` as a user runs it: prints the URL first, writes the ground-truth file, serves,
// appends the access log, stops cleanly on SIGTERM; bad flags are one-line errors.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { listingAt, listingTruth } from '../../../crawlers/demo-market/listings.ts';

const BIN = join(import.meta.dirname, '../../../bin/shelfwatch.js');

describe('shelfwatch demo-market', () => {
  it('serves, writes the ground truth and the access log, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-market-'));
    const gt = join(dir, 'gt.ndjson');
    const log = join(dir, 'access.ndjson');
    const child = spawn(process.execPath, [BIN, 'demo-market', '--listings', '120', '--seed', '5', '--clean', '--ground-truth', gt, '--access-log', log], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SHELFWATCH_LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const lines = readFileSync(gt, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(120 + 3);
    expect(lines[7]).toEqual(listingTruth(listingAt(5, 7, { clean: true }), url));
    expect(lines.every((l) => l.problems.length === 0)).toBe(true);
    const r = await fetch(`${url}${lines[7].url.slice(url.length)}`);
    expect(r.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const logged = readFileSync(log, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(logged).toEqual([expect.objectContaining({ method: 'GET', path: lines[7].url.slice(url.length), status: 200 })]);
  }, 30_000);

  it.each([
    [['--listings', '0'], /--listings must be an integer in 1\.\.1000000000/],
    [['--problem-rate', '2'], /--problem-rate must be a number in 0\.\.1/],
    [['--port', 'x'], /--port must be an integer/],
  ])('rejects %j', async (args, message) => {
    const child = spawn(process.execPath, [BIN, 'demo-market', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
  }, 30_000);
});
