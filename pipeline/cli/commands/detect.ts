// `shelfwatch detect --listings FILE [--certificates FILE] [--licences FILE] [--recalls FILE]
// [--prohibited FILE] [--out FILE]`: the detect stage's code on files instead of topics, for analysts and
// evals. In: listing snapshots (NDJSON / JSON / CSV rows in the ListingSnapshot contract; a row that does
// not validate is reported with its line number and skipped) and reference files (as `ref load` reads
// them). Out: one Alert per line (NDJSON), exactly what the stage would publish; the detectors and their
// settings come from config.detect like the stage's.
import type { Command } from 'commander';
import type { Action } from '../action.ts';
import { expectedError } from '../action.ts';

interface Opts {
  listings: string;
  certificates?: string;
  licences?: string;
  recalls?: string;
  prohibited?: string;
  out?: string;
}

export function register(program: Command, action: Action): void {
  program
    .command('detect')
    .description('run the configured detectors on a file of listing snapshots with reference files (same code as the detect stage); writes alerts as NDJSON')
    .requiredOption('--listings <file>', 'listing snapshots (NDJSON / JSON array), one ListingSnapshot per row')
    .option('--certificates <file>', 'CCC certificate register (CSV / JSON / NDJSON)')
    .option('--licences <file>', 'production licence register')
    .option('--recalls <file>', 'recall notices')
    .option('--prohibited <file>', 'prohibited items')
    .option('--out <file>', 'write alerts here instead of stdout')
    .action(
      action(async ({ config, logger }, opts: Opts) => {
        const { createWriteStream, existsSync } = await import('node:fs');
        const { createDetectors } = await import('../../../detectors/index.ts');
        const { readRecords } = await import('../../../detectors/reference/files.ts');
        const { referenceRow } = await import('../../../detectors/reference/rows.ts');
        const { createReferenceViews, REFERENCE_KINDS } = await import('../../../detectors/reference/views.ts');
        const { alertsFor } = await import('../../stages/detect.ts');
        const { ListingSnapshot, issueFields } = await import('../../contracts/index.ts');
        let bad = 0;
        const report = (file: string, line: number, reason: string) => {
          bad++;
          process.stderr.write(`${file}:${line}: skipped: ${reason}\n`);
        };
        const views = createReferenceViews();
        const loadedAt = new Date().toISOString();
        for (const kind of REFERENCE_KINDS) {
          const file = opts[kind];
          if (!file) continue;
          if (!existsSync(file)) throw expectedError(`cannot read ${file}`);
          let n = 0;
          for await (const row of readRecords(file)) {
            const r = 'error' in row ? ({ ok: false, reason: row.error } as const) : referenceRow(kind, row.record, loadedAt);
            if (!r.ok) report(file, row.line, r.reason);
            else {
              views.apply(kind, r.key, r.value as never);
              n++;
            }
          }
          process.stderr.write(`${kind}: ${n} loaded from ${file}\n`);
        }
        const detectors = createDetectors(config.detect.detectors, { logger });
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
        let listings = 0;
        let alerts = 0;
        if (!existsSync(opts.listings)) throw expectedError(`cannot read ${opts.listings}`);
        for await (const row of readRecords(opts.listings)) {
          if ('error' in row) {
            report(opts.listings, row.line, row.error);
            continue;
          }
          const parsed = ListingSnapshot.safeParse(row.record);
          if (!parsed.success) {
            const fields = issueFields(parsed.error.issues);
            report(opts.listings, row.line, parsed.error.issues.map((i, k) => `${fields[k]}: ${i.message}`).join('; '));
            continue;
          }
          listings++;
          for (const a of alertsFor({ kind: 'listing', snapshot: parsed.data }, detectors, views, (d, err) => process.stderr.write(`detector ${d} failed on line ${row.line}: ${(err as Error).message}\n`))) {
            alerts++;
            await write(JSON.stringify(a) + '\n');
          }
        }
        if (opts.out) await new Promise<void>((r) => (out as import('node:fs').WriteStream).end(r));
        process.stderr.write(`${listings} listings, ${alerts} alerts (detectors: ${detectors.map((d) => d.name).join(', ')}); ${bad} bad row(s)\n`);
        return bad ? 2 : 0;
      }),
    );
}
