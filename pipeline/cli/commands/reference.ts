// Reference data and recall matching commands:
//   shelfwatch ref load certificates|licences|recalls|prohibited FILE   file -> compacted reference topic
//   shelfwatch match-recalls --recalls FILE --listings FILE [--out FILE] recall matches as NDJSON
// Both stream their input, show a progress bar on a terminal, and report each bad row with its line number
// and reason on stderr while the good rows go through (exit code 2 when some rows were bad).
import { stat } from 'node:fs/promises';
import { Argument, Option, type Command } from 'commander';
import type { Action } from '../action.ts';
import { expectedError } from '../action.ts';

type Bar = { update(v: number): void; stop(): void };

async function progressBar(label: string, total: number): Promise<Bar | undefined> {
  if (!process.stderr.isTTY) return undefined;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar({ stream: process.stderr, format: `${label} {bar} {percentage}% | {value}/{total} bytes`, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw expectedError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

const formatOption = () => new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'ndjson', 'json']);
const encodingOption = () => new Option('--encoding <encoding>', 'text encoding of the file').choices(['utf8', 'latin1']).default('utf8');

export function register(program: Command, action: Action): void {
  const ref = program.command('ref').description('reference data: CCC certificates, production licences, recalls, prohibited items');
  ref
    .command('load')
    .description('load a CSV / JSON / NDJSON file into its compacted reference topic (key = certificate/licence number, recall_id, item_id); bad rows are reported by line and skipped')
    .addArgument(new Argument('<kind>', 'which register').choices(['certificates', 'licences', 'recalls', 'prohibited']))
    .argument('<file>', 'CSV (header row), JSON (array of objects) or NDJSON file')
    .addOption(formatOption())
    .addOption(encodingOption())
    .action(
      action(async ({ config, logger }, kind: 'certificates' | 'licences' | 'recalls' | 'prohibited', file: string, opts: { format?: 'csv' | 'ndjson' | 'json'; encoding: 'utf8' | 'latin1' }) => {
        const { createKafka } = await import('../../kafka.ts');
        const { loadReferenceFile, REFERENCE_TOPICS } = await import('../../../detectors/reference/load.ts');
        const total = await fileSize(file);
        const bar = await progressBar(`loading ${kind}`, total);
        let read = 0;
        const kafka = createKafka(config.kafka, logger);
        const result = await loadReferenceFile(kafka, config, kind, file, {
          ...(opts.format ? { format: opts.format } : {}),
          encoding: opts.encoding,
          onBytes: (n) => bar?.update((read += n)),
          onBad: (line, reason) => process.stderr.write(`${bar ? '\n' : ''}${file}:${line}: skipped: ${reason}\n`),
        });
        bar?.update(total);
        bar?.stop();
        process.stderr.write(`loaded ${result.loaded} ${kind} into ${kafka.topic(REFERENCE_TOPICS[kind])}; ${result.badCount} bad row(s)\n`);
        return result.badCount ? 2 : 0;
      }),
    );

  program
    .command('match-recalls')
    .description('match listings against recall notices (GTIN, model, brand aliases, title similarity); writes one NDJSON line per match {recall_id, listing_id, score, matched_on, explain}')
    .requiredOption('--recalls <file>', 'recalls: CSV / JSON / NDJSON with an id and a title or product name per row; brand, model, GTIN columns used when present')
    .requiredOption('--listings <file>', 'listings: CSV / JSON / NDJSON with an id and a title per row; brand, model, GTIN columns used when present')
    .option('--out <file>', 'write matches here instead of stdout')
    .option('--min-score <x>', 'minimum match score 0..1 (default 0.6)', (v) => Number(v))
    .option('--title-min <x>', 'minimum title similarity for matches without GTIN or model (default 0.8 without brand, 0.35 with)', (v) => Number(v))
    .option('--trigram-weight <x>', 'weight of character trigrams in the title similarity, 0..1 (default 0.5)', (v) => Number(v))
    .option('--gap-penalty <x>', 'title-driven candidates lose this x their similarity gap to the best candidate, 0..1 (default 0.5)', (v) => Number(v))
    .option('--best-bonus <x>', 'bonus for the most similar candidate, 0..1 (default 0.1)', (v) => Number(v))
    .option('--near-best <delta>', 'batch only: keep a match only when its score is within delta of the best score its recall gets over all listings (one partner per recall); matches are written at the end', (v) => Number(v))
    .option('--number-penalty <x>', 'share of title similarity lost when the numbers in the titles disagree, 0..1 (default 0.3)', (v) => Number(v))
    .option('--mutual', 'with --near-best: also keep a match only when its score is within delta of the best score its listing gets (one partner on both sides)')
    .option('--price-penalty <x>', 'batch only: when both rows have a price column, take up to x off the score as the prices disagree (x times |ln(price ratio)|, capped at x); 0..1 (default 0: off)', (v) => Number(v))
    .addOption(encodingOption())
    .action(
      action(async (_ctx, opts: { recalls: string; listings: string; out?: string; minScore?: number; titleMin?: number; trigramWeight?: number; gapPenalty?: number; bestBonus?: number; numberPenalty?: number; nearBest?: number; mutual?: boolean; pricePenalty?: number; encoding: 'utf8' | 'latin1' }) => {
        for (const [flag, v] of [['--min-score', opts.minScore], ['--title-min', opts.titleMin], ['--trigram-weight', opts.trigramWeight], ['--gap-penalty', opts.gapPenalty], ['--best-bonus', opts.bestBonus], ['--number-penalty', opts.numberPenalty], ['--near-best', opts.nearBest], ['--price-penalty', opts.pricePenalty]] as const) {
          if (v !== undefined && !(v >= 0 && v <= 1)) throw expectedError(`${flag} must be a number between 0 and 1`);
        }
        if (opts.mutual && opts.nearBest === undefined) throw expectedError('--mutual needs --near-best <delta>');
        const { createWriteStream } = await import('node:fs');
        const { keepNearBest, loadRecallIndex, matchListingsFile } = await import('../../../detectors/match-recalls.ts');
        let bad = 0;
        const onBad = (b: { file: string; line: number; reason: string }) => {
          bad++;
          process.stderr.write(`${b.file}:${b.line}: skipped: ${b.reason}\n`);
        };
        await fileSize(opts.recalls);
        const total = await fileSize(opts.listings);
        const { index, loaded, prices } = await loadRecallIndex(opts.recalls, { encoding: opts.encoding, onBad });
        const bar = await progressBar('matching', total);
        let read = 0;
        let listings = 0;
        let matches = 0;
        // --near-best needs every listing's matches before writing any.
        const held: import('../../../detectors/match-recalls.ts').MatchLine[] | null = opts.nearBest !== undefined ? [] : null;
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
        for await (const m of matchListingsFile(index, opts.listings, {
          encoding: opts.encoding,
          onBad,
          onBytes: (n) => bar?.update((read += n)),
          onListing: () => listings++,
          prices,
          pricePenalty: opts.pricePenalty ?? 0,
          match: {
            ...(opts.minScore !== undefined ? { minScore: opts.minScore } : {}),
            ...(opts.titleMin !== undefined ? { titleOnlyMin: opts.titleMin, brandTitleMin: opts.titleMin } : {}),
            ...(opts.trigramWeight !== undefined ? { trigramWeight: opts.trigramWeight } : {}),
            ...(opts.gapPenalty !== undefined ? { gapPenalty: opts.gapPenalty } : {}),
            ...(opts.bestBonus !== undefined ? { bestBonus: opts.bestBonus } : {}),
            ...(opts.numberPenalty !== undefined ? { numberPenalty: opts.numberPenalty } : {}),
          },
        })) {
          if (held) held.push(m);
          else {
            matches++;
            await write(JSON.stringify(m) + '\n');
          }
        }
        if (held) {
          for (const m of keepNearBest(held, opts.nearBest!, opts.mutual ? 'both' : 'recall')) {
            matches++;
            await write(JSON.stringify(m) + '\n');
          }
        }
        bar?.stop();
        if (opts.out) await new Promise<void>((r) => (out as import('node:fs').WriteStream).end(r));
        process.stderr.write(`${loaded} recalls, ${listings} listings, ${matches} matches; ${bad} bad row(s)\n`);
        return bad ? 2 : 0;
      }),
    );
}
