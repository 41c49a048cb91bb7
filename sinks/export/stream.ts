// Streams a ClickHouse SELECT as JSONEachRow over HTTP, parsed line by line as it arrives, so an export of
// any size holds one network chunk and one batch in memory. In: ClickHouse config + password, SQL. Out: the
// column names and types (DESCRIBE of the query, works on 18.16) and an async iterator of raw lines.
// A server error in the middle of the stream (ClickHouse appends "Code: N, ..." to the body after a 200) is
// thrown as a ClickHouseError. The shared client (pipeline/clickhouse/client.ts) buffers whole results;
// this reader is for results larger than memory.
import { toClickHouseError, parseServerError } from '../../pipeline/clickhouse/errors.ts';
import type { ClickHouseConfig } from '../../pipeline/config.ts';

export interface ColumnInfo {
  name: string;
  type: string;
}

export interface QueryStream {
  columns: ColumnInfo[];
  /** JSONEachRow lines, one per row, without the newline. */
  lines: AsyncIterable<string>;
}

function endpoint(config: ClickHouseConfig, password: string): { url: string; headers: Record<string, string> } {
  const url = new URL(config.url);
  const user = decodeURIComponent(url.username) || config.username;
  const pass = password || decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.toString(), headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } };
}

async function post(config: ClickHouseConfig, password: string, sql: string, signal?: AbortSignal): Promise<Response> {
  const { url, headers } = endpoint(config, password);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body: sql, headers, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw toClickHouseError((err as { cause?: unknown }).cause ?? err);
  }
  if (!res.ok) {
    const text = await res.text();
    throw parseServerError(text) ?? toClickHouseError(new Error(`HTTP ${res.status}: ${text.slice(0, 500)}`));
  }
  return res;
}

/** Strips a trailing ';' and a FORMAT clause the user may have added: we choose the format. */
export function cleanSelect(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '').replace(/\s+FORMAT\s+\w+\s*$/i, '');
}

export async function describeQuery(config: ClickHouseConfig, password: string, sql: string): Promise<ColumnInfo[]> {
  const res = await post(config, password, `DESCRIBE TABLE (${cleanSelect(sql)}) FORMAT TabSeparated`);
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, type] = line.split('\t');
      // TabSeparated escapes \ and control characters in names and types.
      const unescape = (s: string) => s.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', '\\': '\\', "'": "'" })[c] ?? c);
      return { name: unescape(name!), type: unescape(type!) };
    });
}

export async function streamQuery(config: ClickHouseConfig, password: string, sql: string, signal?: AbortSignal): Promise<QueryStream> {
  const columns = await describeQuery(config, password, sql);
  const res = await post(config, password, `${cleanSelect(sql)}\nFORMAT JSONEachRow`, signal);
  async function* lines(): AsyncGenerator<string> {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    let rest = '';
    const check = (line: string) => {
      if (line.charCodeAt(0) !== 123 /* { */) {
        const e = parseServerError(line + rest);
        throw e ?? toClickHouseError(new Error(`unexpected line in the result: ${line.slice(0, 200)}`));
      }
    };
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = rest + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
        const line = text.slice(start, nl);
        start = nl + 1;
        if (line.length === 0) continue;
        rest = text.slice(start);
        check(line);
        yield line;
      }
      rest = text.slice(start);
    }
    rest += decoder.decode();
    if (rest.trim()) {
      check(rest.trim());
      yield rest.trim();
    }
  }
  return { columns, lines: lines() };
}
