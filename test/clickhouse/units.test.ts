// Pure parts of the ClickHouse layer: error parsing, escaping rules, version flags, row mapping.
import { describe, expect, it } from 'vitest';
import { BASELINE_CAPABILITIES, capabilitiesForVersion } from '../../pipeline/clickhouse/capabilities.ts';
import { ClickHouseError, parseServerError, toClickHouseError } from '../../pipeline/clickhouse/errors.ts';
import { quoteIdentifier, sqlString } from '../../pipeline/clickhouse/escape.ts';
import { allStatements } from '../../pipeline/clickhouse/migrate.ts';
import {
  alertFromRow,
  alertToRow,
  deadLetterFromRow,
  deadLetterToRow,
  fromDateTimeParts,
  listingFromRow,
  listingToRow,
  livestreamFromRow,
  livestreamToRow,
  toDateTimeParts,
} from '../../pipeline/clickhouse/rows.ts';
import { alertExample, deadLetterExample, listingExample, livestreamExample } from '../contracts/examples.ts';

describe('server error parsing', () => {
  it.each([
    ["Code: 60, e.displayText() = DB::Exception: Table default.nope doesn't exist., e.what() = DB::Exception\n", 60, 'UNKNOWN_TABLE', false, false, "Table default.nope doesn't exist."],
    ['Code: 60. DB::Exception: Table default.nope does not exist. (UNKNOWN_TABLE) (version 24.8.1.1)\n', 60, 'UNKNOWN_TABLE', false, false, 'Table default.nope does not exist.'],
    ['Code: 117, e.displayText() = DB::Exception: Unknown field found while parsing JSONEachRow format: x, e.what() = DB::Exception', 117, 'INCORRECT_DATA', false, true, 'Unknown field found while parsing JSONEachRow format: x'],
    ['Code: 53. DB::Exception: Type mismatch in IN or VALUES section. (TYPE_MISMATCH) (version 23.3.1)', 53, 'TYPE_MISMATCH', false, true, 'Type mismatch in IN or VALUES section.'],
    ['Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected , before: x, e.what() = DB::Exception', 27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', false, true, 'Cannot parse input: expected , before: x'],
    ['Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1, e.what() = DB::Exception', 62, 'SYNTAX_ERROR', false, false, 'Syntax error: failed at position 1'],
    ['Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED) (version 24.1)', 241, 'MEMORY_LIMIT_EXCEEDED', true, false, 'Memory limit (total) exceeded.'],
    ['Code: 252, e.displayText() = DB::Exception: Too many parts (300), e.what() = DB::Exception', 252, 'TOO_MANY_PARTS', true, false, 'Too many parts (300)'],
    ['Code: 999, e.displayText() = DB::Exception: something new, e.what() = DB::Exception', 999, 'CODE_999', true, false, 'something new'],
  ])('%s', (text, code, type, retryable, dataError, message) => {
    const e = parseServerError(text)!;
    expect({ code: e.code, type: e.type, retryable: e.retryable, dataError: e.dataError }).toEqual({ code, type, retryable, dataError });
    expect(e.message).toBe(`ClickHouse ${type} (${code}): ${message}`);
  });

  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'NETWORK', true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'NETWORK', true],
    [new Error('Timeout error.'), 'TIMEOUT', true],
    [Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }), 'ABORTED', false],
    [new Error('<html>502 Bad Gateway</html>'), 'UNKNOWN', true],
  ])('transport error %#', (err, type, retryable) => {
    const e = toClickHouseError(err);
    expect(e).toBeInstanceOf(ClickHouseError);
    expect({ code: e.code, type: e.type, retryable: e.retryable }).toEqual({ code: null, type, retryable });
    expect(e.cause).toBe(err);
  });
});

describe('escaping', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['new\nline\ttab\0nul\x7f', "'new\\x0aline\\x09tab\\x00nul\\x7f'"],
    ["'); DROP TABLE x; --", "'\\'); DROP TABLE x; --'"],
    ['商品 😀', "'商品 😀'"],
  ])('sqlString(%j)', (input, expected) => {
    expect(sqlString(input)).toBe(expected);
  });
  it('rejects lone surrogates and non-strings', () => {
    expect(() => sqlString('a\uD800b')).toThrow(/surrogate/);
    expect(() => sqlString(1 as unknown as string)).toThrow(TypeError);
  });
  it.each(['shelfwatch', '_x1', 'T_9'])('quoteIdentifier(%s)', (name) => {
    expect(quoteIdentifier(name)).toBe('`' + name + '`');
  });
  it.each(['', '1abc', 'a-b', 'a`b', 'a b', 'db.table', 'x; DROP TABLE y', 'é', 'a'.repeat(129)])('quoteIdentifier rejects %j', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(/not a valid ClickHouse identifier/);
  });
});

describe('capabilities by version', () => {
  it.each([
    ['18.16.1', { lowCardinality: false, ttl: false, queryParams: false, dateTime64: false, arrowInput: false }],
    ['19.8.3.8', { lowCardinality: false, ttl: true, queryParams: false, dateTime64: false, arrowInput: false }],
    ['20.3.21', { lowCardinality: true, ttl: true, queryParams: true, dateTime64: true, arrowInput: false }],
    ['24.8.4.13', { lowCardinality: true, ttl: true, queryParams: true, dateTime64: true, arrowInput: true }],
    ['26.9.2.1', { lowCardinality: true, ttl: true, queryParams: true, dateTime64: true, arrowInput: true }],
  ])('%s', (version, flags) => {
    expect(capabilitiesForVersion(version)).toMatchObject(flags);
  });
  it('rejects garbage', () => {
    expect(() => capabilitiesForVersion('nope')).toThrow();
  });
  it('the 18.16 variant of the migrations uses no LowCardinality; the modern one does', () => {
    expect(allStatements('db', BASELINE_CAPABILITIES).join('\n')).not.toMatch(/LowCardinality/);
    expect(allStatements('db', capabilitiesForVersion('24.8')).join('\n')).toMatch(/LowCardinality\(String\)/);
  });
});

describe('rows', () => {
  it.each([
    ['2026-11-01T08:30:00.123Z', ['2026-11-01 08:30:00', 123]],
    ['2026-11-01T08:30:00.007Z', ['2026-11-01 08:30:00', 7]],
    ['1970-01-01T00:00:00.000Z', ['1970-01-01 00:00:00', 0]],
  ] as const)('timestamp %s', (iso, parts) => {
    expect(toDateTimeParts(iso)).toEqual(parts);
    expect(fromDateTimeParts(parts[0], parts[1])).toBe(iso);
  });
  it('rejects non-UTC timestamps', () => {
    expect(() => toDateTimeParts('2026-11-01T08:30:00.000+08:00')).toThrow(RangeError);
  });
  it.each([
    ['listing', listingExample(), listingToRow, listingFromRow],
    ['listing (nulls)', listingExample({ price: null, currency: null, attributes: {}, images: [] }), listingToRow, listingFromRow],
    ['livestream', livestreamExample(), livestreamToRow, livestreamFromRow],
    ['livestream (no card)', livestreamExample({ product: null, transcript: [] }), livestreamToRow, livestreamFromRow],
    ['alert', alertExample(), alertToRow, alertFromRow],
    ['dead letter', deadLetterExample(), deadLetterToRow, deadLetterFromRow],
  ] as const)('%s maps to a row and back (through JSON)', (_name, value, to, from) => {
    const row = JSON.parse(JSON.stringify((to as (v: unknown) => object)(value)));
    expect((from as (r: unknown) => unknown)(row)).toEqual(value);
  });
});
