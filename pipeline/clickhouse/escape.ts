// Inlining values into SQL, for the rare case it can't be avoided: 18.16 has no server-side query parameters
// ({name:Type}), so DDL and a few admin queries take literals. Data never goes this way: rows are sent as
// JSONEachRow insert bodies, and crawled text is never pasted into SQL (architecture.md).
// Exactly one escaping function for values (sqlString) and one validator for names (quoteIdentifier).
// Both are round-trip tested against the real 18.16 server and chdb (test/clickhouse/escape.integration.test.ts).

/**
 * A ClickHouse string literal, quotes included, that reads back exactly as `value`.
 * Escapes backslash and single quote with a backslash, and every control character (NUL, newline, tab,
 * DEL, ...) as \xHH, which both 18.16 and current servers parse. Other characters (any Unicode) pass as
 * UTF-8. Throws on a lone UTF-16 surrogate, which has no UTF-8 form and would not read back the same.
 */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`sqlString expects a string, got ${typeof value}`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)) {
    throw new TypeError('sqlString: the value contains a lone UTF-16 surrogate');
  }
  const body = value.replace(/[\\'\x00-\x1f\x7f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return "\\'";
    return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
  });
  return `'${body}'`;
}

const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A database, table or column name in backticks. Only plain identifiers are accepted (letters, digits,
 * '_', not starting with a digit), so nothing needs escaping and nothing can break out; anything else throws.
 */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || !IDENTIFIER_RE.test(name)) {
    throw new TypeError(`not a valid ClickHouse identifier: ${JSON.stringify(String(name)).slice(0, 140)} (letters, digits, _; not starting with a digit)`);
  }
  return '`' + name + '`';
}

/** `db`.`table`, both validated. */
export function qualifiedTable(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}
