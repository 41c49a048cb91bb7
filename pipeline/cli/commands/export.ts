// `shelfwatch export --table T | --query SQL [--format arrow|ndjson|csv] --out FILE`: streams a table or a
// query result from ClickHouse into a file with bounded memory (sinks/export/). Arrow files are IPC streams
// (pyarrow.ipc.open_stream, polars.read_ipc_stream, DuckDB via pyarrow). Analysts should run it as the
// read-only user: SHELFWATCH_CLICKHOUSE_USER=shelfwatch_reader (+ SHELFWATCH_CLICKHOUSE_PASSWORD).
// Prints one summary line on stderr (rows, bytes, seconds, peak RSS); a progress bar when stderr is a TTY.
import { Option, type Command } from 'commander';
import type { Action } from '../action.ts';
import { expectedError } from '../action.ts';

type Format = 'arrow' | 'ndjson' | 'csv';

function formatFromPath(out: string): Format | undefined {
  if (/\.(arrow|arrows|ipc)$/i.test(out)) return 'arrow';
  if (/\.(ndjson|jsonl)$/i.test(out)) return 'ndjson';
  if (/\.csv$/i.test(out)) return 'csv';
  return undefined;
}

export function register(program: Command, action: Action): void {
  program
    .command('export')
    .description('stream a table or a query from ClickHouse into an Apache Arrow IPC stream, NDJSON or CSV file (bounded memory for any size)')
    .option('--table <name>', 'a table of the shelfwatch database (deduplicated with FINAL where replays can repeat rows)')
    .option('--query <sql>', 'a SELECT (no FORMAT clause; the export chooses it)')
    .addOption(new Option('--format <format>', 'file format (default: from the --out extension, else arrow)').choices(['arrow', 'ndjson', 'csv']))
    .requiredOption('--out <file>', 'output file (.arrow, .ndjson, .csv)')
    .option('--batch-rows <n>', 'rows per Arrow record batch', (v) => Number(v), 8_192)
    .action(
      action(async ({ config }, opts: { table?: string; query?: string; format?: Format; out: string; batchRows: number }) => {
        if (!opts.table === !opts.query) throw expectedError('export: give exactly one of --table <name> or --query <sql>');
        if (!Number.isInteger(opts.batchRows) || opts.batchRows < 1) throw expectedError('export: --batch-rows must be a positive integer');
        const format = opts.format ?? formatFromPath(opts.out) ?? 'arrow';
        const { secrets } = await import('../../config.ts');
        const { exportQuery, tableSelect } = await import('../../../sinks/export/export.ts');
        const password = secrets.clickhousePassword();
        const db = config.clickhouse.database;

        let sql = opts.query;
        let total = 0;
        if (opts.table) {
          const { createClickHouse } = await import('../../clickhouse/client.ts');
          const { quoteIdentifier, sqlString } = await import('../../clickhouse/escape.ts');
          try {
            quoteIdentifier(opts.table);
          } catch (err) {
            throw expectedError(`export: --table ${(err as Error).message}`);
          }
          const ch = createClickHouse(config.clickhouse, { password });
          try {
            const tables = await ch.query<{ name: string; engine: string; total_rows?: string }>(
              `SELECT name, engine FROM system.tables WHERE database = ${sqlString(db)} AND name NOT LIKE '.inner%' ORDER BY name`,
            );
            const found = tables.find((t) => t.name === opts.table);
            if (!found) throw expectedError(`export: no table ${opts.table} in database ${db}; tables: ${tables.map((t) => t.name).join(', ') || '(none)'}`);
            sql = tableSelect(db, found.name, found.engine);
            if (process.stderr.isTTY) total = Number((await ch.query<{ n: string }>(`SELECT count() AS n FROM (${sql})`))[0]?.n ?? 0);
          } finally {
            await ch.close();
          }
        }

        let bar: { update(v: number): void; stop(): void } | undefined;
        if (process.stderr.isTTY) {
          const { SingleBar, Presets } = await import('cli-progress');
          const b = new SingleBar(
            { stream: process.stderr, hideCursor: true, format: total ? 'export {bar} {percentage}% | {value}/{total} rows' : 'export {value} rows' },
            Presets.shades_classic,
          );
          b.start(total, 0);
          bar = b;
        }
        const started = Date.now();
        let result;
        try {
          result = await exportQuery({ config: config.clickhouse, password, sql: sql!, format, out: opts.out, batchRows: opts.batchRows, onProgress: (n) => bar?.update(n) });
        } finally {
          bar?.stop();
        }
        const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
        process.stderr.write(
          `exported ${result.rows} rows, ${result.columns.length} columns (${(result.bytes / 1e6).toFixed(1)} MB ${format}) to ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s; peak RSS ${rssMb} MB\n`,
        );
      }),
    );
}
