// `npm run eval:extract`: our extractor on the real product pages of the Zyte product-extraction benchmark
// sample (../shared/eval/product_pages_zyte_benchmark, see its SOURCE.md), scored for price and currency by the
// same code (crawlers/eval/score.ts) as the stored outputs of Zyte, Diffbot and extruct on the same pages.
// In: the dataset folder (argument or SHELFWATCH_EVAL_DIR). Out: a table per page with misses, a summary
// table, and as the last line one JSON object {"eval":"extract","price_f1":...,"zyte_price_f1":...,...}.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractPage } from '../extract/index.ts';
import { sameCurrency, samePrice, score, tally, type Counts } from './score.ts';

const dir = resolve(process.argv[2] ?? process.env.SHELFWATCH_EVAL_DIR ?? '../shared/eval/product_pages_zyte_benchmark');
if (!existsSync(join(dir, 'ground-truth.json'))) {
  process.stderr.write(`eval:extract: no ground-truth.json in ${dir} (pass the dataset folder as the first argument)\n`);
  process.exit(2);
}

type Truth = Record<string, { url?: string; price?: string[]; currency?: string[] }>;
type Output = Record<string, { price?: string; currency?: string }>;
const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as Truth;
const SYSTEMS = ['Zyte', 'Diffbot', 'extruct'] as const;
const baselines = Object.fromEntries(SYSTEMS.map((s) => [s, JSON.parse(readFileSync(join(dir, `baseline-output-${s}.json`), 'utf8')) as Output]));

const ids = readdirSync(join(dir, 'html'))
  .filter((f) => f.endsWith('.html.gz'))
  .map((f) => f.slice(0, -'.html.gz'.length))
  .filter((id) => truth[id] !== undefined)
  .sort();

const zero = (): Counts => ({ tp: 0, fp: 0, fn: 0 });
const counts: Record<string, { price: Counts; currency: Counts }> = Object.fromEntries(['ours', ...SYSTEMS].map((s) => [s, { price: zero(), currency: zero() }]));
const misses: string[] = [];

for (const id of ids) {
  const gt = truth[id]!;
  const gtPrice = gt.price ?? [];
  const gtCurrency = gt.currency ?? [];
  let ours: { price: string | null; currency: string | null } = { price: null, currency: null };
  try {
    const r = extractPage({ bytes: readFileSync(join(dir, 'html', `${id}.html.gz`)), url: gt.url ?? null });
    const main = r.products[0];
    if (main) ours = { price: main.price === null ? null : String(main.price), currency: main.currency };
  } catch (err) {
    misses.push(`${id.slice(0, 8)} extractor error: ${(err as Error).message}`);
  }
  tally(counts.ours!.price, ours.price, gtPrice, samePrice);
  tally(counts.ours!.currency, ours.currency, gtCurrency, sameCurrency);
  for (const s of SYSTEMS) {
    const out = baselines[s]![id] ?? {};
    tally(counts[s]!.price, out.price, gtPrice, samePrice);
    tally(counts[s]!.currency, out.currency, gtCurrency, sameCurrency);
  }
  const priceOk = ours.price !== null && gtPrice.some((g) => samePrice(ours.price!, g));
  const curOk = gtCurrency.length === 0 ? ours.currency === null || true : ours.currency !== null && gtCurrency.some((g) => sameCurrency(ours.currency!, g));
  if (!priceOk || !curOk) {
    misses.push(`${id.slice(0, 8)} ${new URL(gt.url ?? 'http://unknown').host.padEnd(26)} price ${String(ours.price).padEnd(10)} truth ${gtPrice.join('|').padEnd(10)} currency ${String(ours.currency).padEnd(5)} truth ${gtCurrency.join('|')}`);
  }
}

const fmt = (x: number): string => x.toFixed(3);
const out = process.stdout;
out.write(`pages: ${ids.length} (dataset ${dir})\n`);
if (misses.length > 0) out.write(`our misses:\n  ${misses.join('\n  ')}\n`);
out.write(`\n${'system'.padEnd(9)} ${'price F1 (P/R)'.padEnd(22)} currency F1 (P/R)\n`);
for (const s of ['ours', ...SYSTEMS]) {
  const p = score(counts[s]!.price);
  const c = score(counts[s]!.currency);
  out.write(`${s.padEnd(9)} ${`${fmt(p.f1)} (${fmt(p.precision)}/${fmt(p.recall)})`.padEnd(22)} ${fmt(c.f1)} (${fmt(c.precision)}/${fmt(c.recall)})\n`);
}
const summary: Record<string, unknown> = { eval: 'extract', pages: ids.length };
for (const s of ['ours', ...SYSTEMS]) {
  const prefix = s === 'ours' ? '' : `${s.toLowerCase()}_`;
  const p = score(counts[s]!.price);
  const c = score(counts[s]!.currency);
  summary[`${prefix}price_f1`] = Number(fmt(p.f1));
  summary[`${prefix}price_precision`] = Number(fmt(p.precision));
  summary[`${prefix}price_recall`] = Number(fmt(p.recall));
  summary[`${prefix}currency_f1`] = Number(fmt(c.f1));
}
out.write(JSON.stringify(summary) + '\n');
