// `npm run eval [-- --listings N --seed S --warmup N --problem-rate R --out FILE --no-rooms --no-clean]`: every
// detector on the demo marketplace's ground truth (detectors/eval/demo-eval.ts). Writes the full JSON report
// (default reports/eval-detectors.json), prints the per-rule tables and progress on stderr, and as the last
// stdout line one JSON object: {"eval":"detectors","min_precision","min_recall","price_precision",
// "price_recall","clean_fpr","listings","rooms","seed","warmup","truth_category":{the same five}}: the crawl
// figures first, then those with the ground truth's category where the page shows none. Exit code 0 whether or not the goals are met: the figures are the
// output (the unit test test/detectors/eval-demo.test.ts holds the goals).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { demoEvalSummary, formatRuleTable, runDemoEval } from './demo-eval.ts';

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
  return n;
};
const rate = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('--problem-rate must be between 0 and 1');
  return n;
};

const program = new Command('eval')
  .description('precision and recall of every detector on the demo marketplace ground truth (injected problems), and the false-positive rate on a clean catalogue')
  .option('--listings <n>', 'listings generated', int('--listings', 1), 10_000)
  .option('--seed <n>', 'demo marketplace seed', int('--seed', 0), 1)
  .option('--problem-rate <r>', 'share of listings and rooms with an injected problem (generator default 0.2)', rate)
  .option('--warmup <n>', 'history listings run through the detectors before the evaluated ones (default: as many as --listings; 0 = cold start)', int('--warmup', 0))
  .option('--fetched-at <iso>', 'fetch time of the first listing (the detectors\' "now")', '2026-11-01T00:00:00.000Z')
  .option('--out <file>', 'JSON report', 'reports/eval-detectors.json')
  .option('--no-rooms', 'skip the livestream rooms')
  .option('--no-clean', 'skip the clean-catalogue pass (clean_fpr)')
  .parse();
const o = program.opts<{ listings: number; seed: number; warmup?: number; problemRate?: number; fetchedAt: string; out: string; rooms: boolean; clean: boolean }>();
if (Number.isNaN(Date.parse(o.fetchedAt))) program.error('--fetched-at must be an ISO date-time');

// Progress: a bar on a terminal, otherwise one line per phase and per 2,000 subjects.
const { SingleBar, Presets } = await import('cli-progress');
const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'eval {phase} {bar} {value}/{total}', hideCursor: true }, Presets.shades_classic) : null;
let lastPhase = '';
let lastStep = -1;
const report = await runDemoEval({
  seed: o.seed,
  listings: o.listings,
  problemRate: o.problemRate,
  rooms: o.rooms,
  clean: o.clean,
  warmup: o.warmup,
  fetchedAt: new Date(o.fetchedAt).toISOString(),
  onProgress: (phase, done, total) => {
    if (bar) {
      if (phase !== lastPhase) bar.start(total, done, { phase });
      else bar.update(done, { phase });
    } else if (phase !== lastPhase || Math.floor(done / 2000) !== lastStep || done === total) {
      if (phase !== lastPhase || Math.floor(done / 2000) !== lastStep) process.stderr.write(`eval ${phase}: ${done}/${total}\n`);
    }
    lastPhase = phase;
    lastStep = Math.floor(done / 2000);
  },
});
bar?.stop();
await mkdir(dirname(o.out), { recursive: true });
await writeFile(o.out, JSON.stringify(report, null, 2) + '\n');
for (const [name, v] of [['crawl (snapshots as crawled)', report], ['truth_category (ground-truth category where the page shows none)', report.truth_category]] as const) {
  process.stderr.write(`\n${name}\n${formatRuleTable(v)}\n`);
  process.stderr.write(`price_far_below: precision ${v.price.precision} recall ${v.price.recall} (fired on ${v.price.fired_on_price_low} of ${v.price.price_low} listings at 55-70 %)\n`);
  if (v.clean) process.stderr.write(`clean catalogue: ${v.clean.listings_with_alert} of ${v.clean.listings} listings with an alert ${JSON.stringify(v.clean.by_rule)}\n`);
}
process.stderr.write(`crawled snapshots without the category the ground truth has: ${JSON.stringify(report.category_missing)}\n`);
if (report.snapshot_errors.count) process.stderr.write(`snapshot errors: ${report.snapshot_errors.count} (first: ${report.snapshot_errors.samples[0]})\n`);
process.stderr.write(`report: ${o.out} (${report.seconds} s)\n`);
process.stdout.write(JSON.stringify(demoEvalSummary(report)) + '\n');
