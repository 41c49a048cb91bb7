// ClickHouse errors as one class: {code, type, message} parsed from the server's text, plus whether a retry
// can help. In: anything thrown by the HTTP client. Out: ClickHouseError.
// Server messages differ by version:
//   18.16:   "Code: 60, e.displayText() = DB::Exception: Table x.y doesn't exist., e.what() = DB::Exception"
//   current: "Code: 60. DB::Exception: Table x.y does not exist. (UNKNOWN_TABLE) (version 24.8.1.1)"
// 18.16 does not print the type name, so the common codes are named from the table below.
// Retry rules follow vector's ClickHouse sink (https://github.com/vectordotdev/vector, src/sinks/clickhouse):
// data errors (bad rows: 117, 53, 27, 26, ...) are never retried, the rows go to the dead-letter topic;
// query/schema/auth errors are not retried either (a person must fix something); network errors, timeouts
// and server-side overload are retried.

/** Codes meaning "the data sent is bad": dead-letter the rows, don't retry. */
export const DATA_ERROR_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [32, 'ATTEMPT_TO_READ_AFTER_EOF'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [190, 'SIZES_OF_ARRAYS_DOESNT_MATCH'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
]);

/** Codes meaning "the query, schema, settings or credentials are wrong": retrying won't help. */
export const PERMANENT_ERROR_CODES: ReadonlyMap<number, string> = new Map([
  [16, 'NO_SUCH_COLUMN_IN_TABLE'],
  [36, 'BAD_ARGUMENTS'],
  [43, 'ILLEGAL_TYPE_OF_ARGUMENT'],
  [44, 'ILLEGAL_COLUMN'],
  [46, 'UNKNOWN_FUNCTION'],
  [47, 'UNKNOWN_IDENTIFIER'],
  [48, 'NOT_IMPLEMENTED'],
  [50, 'UNKNOWN_TYPE'],
  [57, 'TABLE_ALREADY_EXISTS'],
  [60, 'UNKNOWN_TABLE'],
  [62, 'SYNTAX_ERROR'],
  [73, 'UNKNOWN_FORMAT'],
  [81, 'UNKNOWN_DATABASE'],
  [82, 'DATABASE_ALREADY_EXISTS'],
  [115, 'UNKNOWN_SETTING'],
  [164, 'READONLY'],
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [194, 'REQUIRED_PASSWORD'],
  [195, 'IP_ADDRESS_NOT_ALLOWED'],
  [215, 'NOT_AN_AGGREGATE'],
  [497, 'ACCESS_DENIED'],
  [516, 'AUTHENTICATION_FAILED'],
]);

/** Names of common transient codes (retried), for 18.16 which prints no type. */
const TRANSIENT_NAMES: ReadonlyMap<number, string> = new Map([
  [159, 'TIMEOUT_EXCEEDED'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [203, 'NO_FREE_CONNECTION'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'],
  [252, 'TOO_MANY_PARTS'],
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'ECONNABORTED']);

export class ClickHouseError extends Error {
  override name = 'ClickHouseError';
  constructor(
    message: string,
    /** Server exception code; null when the server never answered (network, timeout). */
    readonly code: number | null,
    /** Server type name ('UNKNOWN_TABLE'), or 'NETWORK' / 'TIMEOUT' / 'ABORTED' / 'UNKNOWN'. */
    readonly type: string,
    /** A retry of the same request may succeed (outage, overload). */
    readonly retryable: boolean,
    /** The rows sent were rejected as bad data: dead-letter them. */
    readonly dataError: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SERVER_ERROR_RE = /Code: (\d+)[.,]\s*(?:e\.displayText\(\) = )?(?:DB::)?Exception: ([\s\S]*)/;
const TYPE_RE = /\(([A-Z][A-Z0-9_]{2,})\)/;

/** Builds the error for a server exception text (either format), or null if the text is not one. */
export function parseServerError(text: string): ClickHouseError | null {
  const m = SERVER_ERROR_RE.exec(text);
  if (!m) return null;
  const code = Number(m[1]);
  let message = m[2]!.replace(/,\s*e\.what\(\) = [\s\S]*$/, '').trim();
  const typeMatch = TYPE_RE.exec(message);
  let type: string;
  if (typeMatch) {
    type = typeMatch[1]!;
    message = message.slice(0, typeMatch.index).trim();
  } else {
    type = DATA_ERROR_CODES.get(code) ?? PERMANENT_ERROR_CODES.get(code) ?? TRANSIENT_NAMES.get(code) ?? `CODE_${code}`;
  }
  const dataError = DATA_ERROR_CODES.has(code);
  const retryable = !dataError && !PERMANENT_ERROR_CODES.has(code);
  return new ClickHouseError(`ClickHouse ${type} (${code}): ${message}`, code, type, retryable, dataError);
}

/** Any thrown value -> ClickHouseError (already-converted errors are returned as they are). */
export function toClickHouseError(err: unknown): ClickHouseError {
  if (err instanceof ClickHouseError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const fromServer = parseServerError(e.message);
  if (fromServer) return new ClickHouseError(fromServer.message, fromServer.code, fromServer.type, fromServer.retryable, fromServer.dataError, { cause: e });
  const sysCode = (e as { code?: unknown }).code;
  if (e.name === 'AbortError' || /aborted/i.test(e.message)) {
    return new ClickHouseError(`ClickHouse request aborted: ${e.message}`, null, 'ABORTED', false, false, { cause: e });
  }
  if (/timeout/i.test(e.message)) {
    return new ClickHouseError(`ClickHouse request timed out: ${e.message}`, null, 'TIMEOUT', true, false, { cause: e });
  }
  if (typeof sysCode === 'string' && NETWORK_CODES.has(sysCode)) {
    return new ClickHouseError(`ClickHouse unreachable (${sysCode}): ${e.message}`, null, 'NETWORK', true, false, { cause: e });
  }
  // No server exception in the answer (a proxy's error page, a truncated response...): assume an outage.
  return new ClickHouseError(`ClickHouse request failed: ${e.message.slice(0, 1000)}`, null, 'UNKNOWN', true, false, { cause: e });
}
