// A streaming INSERT over ClickHouse's HTTP interface: the request is opened when a batch gets its first
// rows and each slice is written to it as it joins, so the server parses rows while the process handles the
// next slices; ending the request commits the batch (one INSERT, atomic per block as any INSERT).
// In: ClickHouse config + password, table, column names. Out: InsertStream {write(text), end(), abort()}.
// end() resolves when the server answered 200, else rejects with a ClickHouseError (parsed like the client's).
// Works on 18.16 (chunked POST body) and current servers. The shared client (pipeline/clickhouse/client.ts)
// takes whole arrays; this is the sink's fast path, with the client's insert kept for isolating bad rows.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ClickHouseError, parseServerError, toClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { qualifiedTable, quoteIdentifier } from '../../pipeline/clickhouse/escape.ts';
import type { ClickHouseConfig } from '../../pipeline/config.ts';

export interface InsertStream {
  /** JSONEachRow lines, as text or as their UTF-8 bytes. */
  write(text: string | Buffer): void;
  end(): Promise<void>;
  abort(): void;
}

export type OpenInsert = (table: string, columns: readonly string[]) => InsertStream;

export function createHttpInserter(config: ClickHouseConfig, password: string): { open: OpenInsert; close(): void } {
  const base = new URL(config.url);
  const user = decodeURIComponent(base.username) || config.username;
  const pass = password || decodeURIComponent(base.password);
  base.username = '';
  base.password = '';
  const https = base.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 10 }) : new Agent({ keepAlive: true, maxSockets: 10 });
  const authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  const open: OpenInsert = (table, columns) => {
    const url = new URL(base);
    url.searchParams.set('query', `INSERT INTO ${qualifiedTable(config.database, table)} (${columns.map(quoteIdentifier).join(', ')}) FORMAT JSONEachRow`);
    const req = (https ? httpsRequest : request)(url, { method: 'POST', agent, headers: { authorization, 'content-type': 'application/x-ndjson' } });
    req.setTimeout(config.requestTimeoutMs, () => req.destroy(Object.assign(new Error(`timeout after ${config.requestTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
    const done = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200) return resolve();
          const text = Buffer.concat(chunks).toString('utf8');
          reject(parseServerError(text) ?? toClickHouseError(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 500)}`)));
        });
        res.on('error', (e) => reject(toClickHouseError(e)));
      });
      req.on('error', (e) => reject(toClickHouseError(e)));
    });
    done.catch(() => {}); // observed by end(); an early failure must not be an unhandled rejection
    let ended = false;
    return {
      write(text) {
        // As bytes: for a string, a chunked request measures its UTF-8 length and then encodes it, two passes.
        if (!ended && !req.destroyed) req.write(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
      },
      end() {
        if (!ended) {
          ended = true;
          if (!req.destroyed) req.end();
        }
        return done;
      },
      abort() {
        ended = true;
        req.destroy(new ClickHouseError('insert aborted', null, 'ABORTED', true, false));
      },
    };
  };
  return { open, close: () => agent.destroy() };
}
