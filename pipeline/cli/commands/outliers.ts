// `shelfwatch score-outliers FILE.csv`: isolation-forest scores for any CSV, with the same forest the price
// detector uses (detectors/iforest). Out: CSV `row,score` on stdout (or --out), one line per data row in
// input order (row = 0-based data row index); a bad row gets an empty score and a line on stderr naming its
// line number and why. Exit code 0 when every row scored, 2 when some rows were bad.
import type { Command } from 'commander';
import type { Action } from '../action.ts';
import { expectedError, intOption } from '../action.ts';

interface Opts {
  exclude: string[];
  seed: number;
  subsample: boolean;
  trees: number;
  sampleSize: number;
  out?: string;
}

const int = (name: string) => intOption(name);

export function register(program: Command, action: Action): void {
  program
    .command('score-outliers')
    .description('isolation-forest anomaly score per row of a CSV (numeric columns are the features); writes CSV row,score')
    .argument('<file>', 'CSV file with a header row')
    .option('--exclude <column>', 'a column not to use as a feature (repeatable), e.g. a label or id', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--seed <n>', 'PRNG seed: the same seed gives the same scores', int('--seed'), 0)
    .option('--no-subsample', 'train every tree on the whole set (as ml-isolation-forest does) instead of 256-row sub-samples')
    .option('--trees <n>', 'number of trees', int('--trees'), 100)
    .option('--sample-size <n>', 'rows per tree when sub-sampling', int('--sample-size'), 256)
    .option('--out <file>', 'write the scores here instead of stdout')
    .action(
      action(async (_ctx, file: string, opts: Opts) => {
        const { readFile, writeFile } = await import('node:fs/promises');
        const { readFeatureTable, scoreTable } = await import('../../../detectors/iforest/score-csv.ts');
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          throw expectedError(`cannot read ${file}: ${(err as Error).message}`);
        }
        const table = readFeatureTable(text, opts.exclude);
        for (const b of table.bad) process.stderr.write(`${file}:${b.line}: row ${b.row} skipped: ${b.reason}\n`);
        if (table.skippedColumns.length) process.stderr.write(`not numeric, not used as features: ${table.skippedColumns.join(', ')}\n`);

        let bar: { start(total: number, v: number): void; update(v: number): void; stop(): void } | undefined;
        if (process.stderr.isTTY && table.rows.length >= 20_000) {
          const { SingleBar, Presets } = await import('cli-progress');
          bar = new SingleBar({ stream: process.stderr, format: 'scoring {bar} {value}/{total} rows' }, Presets.shades_classic);
          bar.start(table.rows.length, 0);
        }
        const scores = scoreTable(table, { seed: opts.seed, subsample: opts.subsample, trees: opts.trees, sampleSize: opts.sampleSize }, (done) => bar?.update(done));
        bar?.stop();
        const csv = 'row,score\n' + scores.map((s, i) => `${i},${s === null ? '' : s.toFixed(6)}`).join('\n') + '\n';
        if (opts.out) await writeFile(opts.out, csv);
        else process.stdout.write(csv);
        process.stderr.write(`scored ${scores.length - table.bad.length} of ${scores.length} rows on ${table.features.length} features (${table.features.join(', ')})\n`);
        return table.bad.length ? 2 : 0;
      }),
    );
}
