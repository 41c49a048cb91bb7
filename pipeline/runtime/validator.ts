// A fast accept-path for zod schemas on the stage runtime's hot path.
// In: a zod schema. Out: a predicate `accepts(value)` that is true only when zod would accept `value` AND
// return it unchanged (no defaults, transforms or stripped keys), so the runtime can use the parsed JSON as it
// is instead of zod's copy. It never decides a rejection: when it says false, the runtime asks zod itself,
// which gives the error (or accepts, and its output is used). Every node kind or check it does not know
// exactly (refinements, unions, url/datetime formats, ...) is delegated to zod for that node, so the
// predicate can only be stricter than zod, never laxer (test/pipeline/validator.test.ts checks this by fuzzing).
// Why: zod re-creates every object it parses; on a 2-core machine that copy and its garbage were a large part
// of the runtime's cost per message (npm run bench:runtime).
import type { z } from 'zod';
import { REASONS } from './result.ts';

type Pred = (v: unknown) => boolean;

const PATTERN_FORMATS = new Set(['datetime', 'date', 'time']);

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  [k: string]: unknown;
}
interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** zod decides this node, and its output must equal the input (zod's url format trims, transforms change). */
const viaZod =
  (s: z.ZodType): Pred =>
  (v) => {
    const res = s.safeParse(v);
    return res.success && sameJson(res.data, v);
  };

/** Deep equality of JSON-like values (what JSON.parse produces). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Checks on a string or array length, a regex format, or a number bound; null when one is not understood. */
function compileChecks(def: Def, kind: 'string' | 'array' | 'number'): Pred[] | null {
  const preds: Pred[] = [];
  for (const c of def.checks ?? []) {
    const cd = c._zod.def;
    if (cd.check === 'min_length' && kind !== 'number' && typeof cd.minimum === 'number') {
      const min = cd.minimum;
      preds.push((v) => (v as string | unknown[]).length >= min);
    } else if (cd.check === 'max_length' && kind !== 'number' && typeof cd.maximum === 'number') {
      const max = cd.maximum;
      preds.push((v) => (v as string | unknown[]).length <= max);
    } else if (cd.check === 'string_format' && kind === 'string' && cd.format === 'regex' && cd.pattern instanceof RegExp && !cd.pattern.global && !cd.pattern.sticky) {
      const re = cd.pattern;
      preds.push((v) => re.test(v as string));
    } else if (cd.check === 'number_format' && kind === 'number' && cd.format === 'safeint') {
      preds.push((v) => Number.isSafeInteger(v));
    } else if (cd.check === 'greater_than' && kind === 'number' && typeof cd.value === 'number') {
      const min = cd.value;
      preds.push(cd.inclusive ? (v) => (v as number) >= min : (v) => (v as number) > min);
    } else if (cd.check === 'less_than' && kind === 'number' && typeof cd.value === 'number') {
      const max = cd.value;
      preds.push(cd.inclusive ? (v) => (v as number) <= max : (v) => (v as number) < max);
    } else {
      return null;
    }
  }
  return preds;
}

const all = (preds: Pred[]): Pred => (v) => {
  for (let i = 0; i < preds.length; i++) if (!preds[i]!(v)) return false;
  return true;
};

export function compileValidator(schema: z.ZodType): Pred {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': {
      if (def.format === 'url') return compileHttpUrl(schema, def);
      // Formats zod checks with a regex alone (its $ZodISO* constructors only set `pattern`) compile to that
      // regex; the others (email, ip, ...) have their own logic in zod and stay with zod.
      if (def.format !== undefined && !(PATTERN_FORMATS.has(def.format as string) && def.pattern instanceof RegExp)) return viaZod(schema);
      const pattern = def.format !== undefined ? (def.pattern as RegExp) : undefined;
      const checks = compileChecks(def, 'string');
      if (!checks) return viaZod(schema);
      if (pattern) checks.unshift((v) => pattern.test(v as string));
      const c = all(checks);
      return (v) => typeof v === 'string' && c(v);
    }
    case 'number': {
      if (def.coerce) return viaZod(schema);
      const checks = compileChecks(def, 'number');
      if (!checks) return viaZod(schema);
      const c = all(checks);
      return (v) => typeof v === 'number' && Number.isFinite(v) && c(v);
    }
    case 'boolean':
      if (def.coerce || def.checks?.length) return viaZod(schema);
      return (v) => typeof v === 'boolean';
    case 'literal': {
      const values = def.values as unknown[];
      if (def.checks?.length || !values.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) return viaZod(schema);
      const set = new Set<unknown>(values);
      return (v) => set.has(v);
    }
    case 'enum': {
      const values = Object.values(def.entries as Record<string, unknown>);
      if (def.checks?.length || !values.every((x) => typeof x === 'string')) return viaZod(schema);
      const set = new Set<unknown>(values);
      return (v) => set.has(v);
    }
    case 'nullable': {
      if (def.checks?.length) return viaZod(schema);
      const inner = compileValidator(def.innerType as z.ZodType);
      return (v) => v === null || inner(v);
    }
    case 'array': {
      const checks = compileChecks(def, 'array');
      if (!checks) return viaZod(schema);
      const c = all(checks);
      const el = compileValidator(def.element as z.ZodType);
      return (v) => {
        if (!Array.isArray(v) || !c(v)) return false;
        for (let i = 0; i < v.length; i++) if (!el(v[i])) return false;
        return true;
      };
    }
    case 'object': {
      // Only strict objects: zod would drop unknown keys of a stripping object (a different output).
      const catchall = def.catchall as z.ZodType | undefined;
      if (def.checks?.length || !catchall || defOf(catchall).type !== 'never') return viaZod(schema);
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const known = new Set(keys);
      const preds = keys.map((k) => {
        const t = defOf(shape[k]!).type;
        if (t === 'optional' || t === 'default' || t === 'prefault' || t === 'catch') return null; // zod may add or alter keys
        return compileValidator(shape[k]!);
      });
      if (preds.some((p) => p === null)) return viaZod(schema);
      const ps = preds as Pred[];
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        let n = 0;
        for (const k in o) {
          if (!Object.hasOwn(o, k) || !known.has(k)) return false;
          n++;
        }
        if (n !== keys.length) return false; // a required key is missing
        for (let i = 0; i < keys.length; i++) if (!ps[i]!(o[keys[i]!])) return false;
        return true;
      };
    }
    case 'record':
      return compileRecord(schema, def);
    case 'null':
      if (def.checks?.length) return viaZod(schema);
      return (v) => v === null;
    case 'lazy':
      return compileLazy(schema);
    case 'union':
      return compileDisjointUnion(schema, def);
    default:
      return viaZod(schema); // pipes, intersections, ...
  }
}

/**
 * z.url({ protocol: /^https?$/ }) (the contracts' httpUrl), accepted without zod when the string is printable
 * ASCII without spaces (so zod's trim and tab/newline stripping leave it unchanged), starts with http(s)://
 * (zod's guard for that protocol) and the WHATWG parser accepts it (what zod asks of `URL` too); after
 * `scheme://` the parsed protocol is that scheme, which the pattern accepts. Anything else (hostname or
 * other protocol patterns, normalize, non-ASCII text) is zod's. Why: zod's url check was a third of the
 * validation cost of a listing (url + images).
 */
function compileHttpUrl(schema: z.ZodType, def: Def): Pred {
  const protocol = def.protocol as RegExp | undefined;
  if (def.normalize || def.hostname !== undefined || !(protocol instanceof RegExp) || protocol.source !== '^https?$' || protocol.flags !== '') return viaZod(schema);
  if (typeof URL.canParse !== 'function') return viaZod(schema);
  const checks = compileChecks(def, 'string');
  if (!checks) return viaZod(schema);
  const c = all(checks);
  const plain = /^[!-~]+$/;
  const scheme = /^https?:\/\//i;
  return (v) => typeof v === 'string' && plain.test(v) && scheme.test(v) && URL.canParse(v) && c(v);
}

/**
 * A record with string keys (not an enum of keys) whose key and value schemas compile. Refinements on the
 * record (custom checks, e.g. a maximum key count) are run as zod would run them, on the same value; any
 * other check is zod's. A `__proto__` key is rejected (zod skips it, so its output would differ).
 */
function compileRecord(schema: z.ZodType, def: Def): Pred {
  const keyType = def.keyType as z.ZodType;
  const keyDef = defOf(keyType);
  if (def.mode !== undefined || keyDef.type !== 'string' || (keyType as unknown as { _zod: { values?: unknown } })._zod.values !== undefined) return viaZod(schema);
  const refinements: ((v: unknown) => unknown)[] = [];
  for (const ch of def.checks ?? []) {
    const cd = ch._zod.def as CheckDef & { fn?: (v: unknown) => unknown };
    if (cd.check !== 'custom' || typeof cd.fn !== 'function') return viaZod(schema);
    refinements.push(cd.fn);
  }
  const key = compileValidator(keyType);
  const value = compileValidator(def.valueType as z.ZodType);
  return (v) => {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k) || k === '__proto__' || !key(k) || !value(o[k])) return false;
    }
    for (const fn of refinements) {
      const r = fn(v);
      if (!r || r instanceof Promise) return false;
    }
    return true;
  };
}

// A recursive schema (z.json() is a lazy union containing itself) compiles once per lazy node: the predicate
// is registered before its inner type is compiled, and the inner type is compiled on first use.
const lazyPreds = new WeakMap<z.ZodType, Pred>();
function compileLazy(schema: z.ZodType): Pred {
  const known = lazyPreds.get(schema);
  if (known) return known;
  let inner: Pred | undefined;
  const pred: Pred = (v) => (inner ??= compileValidator((schema as unknown as { _zod: { innerType: z.ZodType } })._zod.innerType))(v);
  lazyPreds.set(schema, pred);
  return pred;
}

/** The JS kind of a value as the options of a type-disjoint union tell them apart. */
type Kind = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'record';
const kindOf = (v: unknown): Kind | null =>
  typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'record' : null;

/**
 * A union whose options are of distinct kinds among string, number, boolean, null, array and record (what
 * z.json() is): zod's string/number/boolean/null/array options reject every value of another kind, and its
 * record rejects arrays, so at most one option can accept a value, and zod's union returns exactly what that
 * option returns. Any other union (two options of a kind, objects, literals, refinements) stays with zod.
 * Why: alert evidence is z.json(); zod parsed and copied it for every alert the detect stage sends.
 */
function compileDisjointUnion(schema: z.ZodType, def: Def): Pred {
  const options = def.options as z.ZodType[] | undefined;
  if (def.checks?.length || !Array.isArray(options) || options.length === 0) return viaZod(schema);
  const byKind = new Map<Kind, z.ZodType>();
  for (const o of options) {
    const t = defOf(o).type;
    if (!(t === 'string' || t === 'number' || t === 'boolean' || t === 'null' || t === 'array' || t === 'record') || byKind.has(t)) return viaZod(schema);
    byKind.set(t, o);
  }
  const preds = new Map<Kind, Pred>([...byKind].map(([k, o]) => [k, compileValidator(o)] as const));
  return (v) => {
    const k = kindOf(v);
    const p = k === null ? undefined : preds.get(k);
    return p !== undefined && p(v);
  };
}

/** A decoded message value, or why it is not one (the dead-letter reason and its wording). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string; error: string };

/**
 * JSON bytes -> a value the schema accepts: the stage runtime's decode + validate, shared with a stage that
 * decodes its raw inputs off the main thread (the detect worker), so both dead-letter the same way.
 * `start`/`end`: the message's bytes within a larger buffer (the worker's slice), without a view per message.
 */
export function createJsonDecoder<S extends z.ZodType>(schema: S): (bytes: Buffer, start?: number, end?: number) => Decoded<z.infer<S>> {
  const accepts = compileValidator(schema);
  return (bytes, start = 0, end = bytes.length) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8', start, end));
    } catch (err) {
      return { ok: false, reason: REASONS.invalidJson, error: (err as Error).message };
    }
    // Fast path: the parsed JSON is used as it is when it certainly passes; otherwise zod decides (and explains).
    if (accepts(parsed)) return { ok: true, value: parsed as z.infer<S> };
    const res = schema.safeParse(parsed);
    if (res.success) return { ok: true, value: res.data as z.infer<S> };
    const first = res.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, reason: REASONS.schemaMismatch, error: first.join('; ') };
  };
}
