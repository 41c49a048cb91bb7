// The runtime's fast accept-path must never accept what zod rejects, and must accept the ordinary valid
// messages (or the runtime silently falls back to zod's slower copy). Fuzzed with seeded mutations of every
// contract's example.
import { describe, expect, it } from 'vitest';
import { contracts, type ContractName } from '../../pipeline/contracts/index.ts';
import { compileValidator } from '../../pipeline/runtime/validator.ts';
import { rng } from '../../pipeline/sample.ts';
import { z } from 'zod';
import {
  alertExample,
  certificateExample,
  deadLetterExample,
  licenceExample,
  listingExample,
  livestreamExample,
  prohibitedExample,
  recallExample,
} from '../contracts/examples.ts';

const EXAMPLES: Record<ContractName, () => unknown> = {
  listing_snapshot: listingExample,
  livestream_snapshot: livestreamExample,
  alert: alertExample,
  certificate: certificateExample,
  licence: licenceExample,
  recall: recallExample,
  prohibited_item: prohibitedExample,
  dead_letter: deadLetterExample,
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v`. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

const MUTATIONS: ((v: Json, r: () => number) => Json | undefined)[] = [
  () => null,
  () => undefined, // delete the key / element
  () => 1,
  () => -1,
  () => 1.5,
  () => 1e13,
  () => 0,
  () => '',
  () => 'x',
  () => 'X'.repeat(5000),
  () => 'a\u0000b',
  () => '2026-13-45T99:00:00.000Z',
  () => 'not a url',
  () => 'HTTP://example.com/a',
  () => true,
  () => [],
  () => ({}),
  (v) => (typeof v === 'string' ? v.toUpperCase() : v),
  (v) => (typeof v === 'string' ? v + ' ' : v),
  (v) => (typeof v === 'string' ? v.slice(1) : v),
  (v) => (typeof v === 'number' ? -v : v),
  (v) => (Array.isArray(v) ? [...v, ...v, 'extra'] : v),
  (v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, unknown_key: 1 } : v),
  (v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, __proto__x: 1 } : v),
];

function mutate(base: Json, r: () => number): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  const all = paths(copy);
  const steps = 1 + Math.floor(r() * 3);
  let root = copy;
  for (let s = 0; s < steps; s++) {
    const path = all[Math.floor(r() * all.length)]!;
    const m = MUTATIONS[Math.floor(r() * MUTATIONS.length)]!;
    if (path.length === 0) {
      const next = m(root, r);
      root = next === undefined ? null : next;
      continue;
    }
    let parent: Json = root;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)?.[k] ?? null;
    if (!parent || typeof parent !== 'object') continue;
    const key = path[path.length - 1]!;
    const next = m((parent as Record<string | number, Json>)[key]!, r);
    if (next === undefined) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, Json>)[key as string];
    } else (parent as Record<string | number, Json>)[key] = next;
  }
  return root;
}

describe('fast accept-path of the runtime', () => {
  it.each(Object.keys(contracts) as ContractName[])('%s: accepts the valid example as it is', (name) => {
    const example = JSON.parse(JSON.stringify(EXAMPLES[name]()));
    const accepts = compileValidator(contracts[name]);
    expect(contracts[name].safeParse(example).success).toBe(true);
    expect(accepts(example)).toBe(true);
  });

  it.each(Object.keys(contracts) as ContractName[])('%s: never accepts what zod rejects, and what it accepts zod returns unchanged (3000 mutations)', (name) => {
    const schema = contracts[name] as z.ZodType;
    const accepts = compileValidator(schema);
    const base = JSON.parse(JSON.stringify(EXAMPLES[name]())) as Json;
    const r = rng(name.length * 7919);
    let rejectedByZod = 0;
    for (let i = 0; i < 3000; i++) {
      const v = mutate(base, r);
      const res = schema.safeParse(v);
      if (!res.success) rejectedByZod++;
      if (accepts(v)) {
        expect(res.success, `fast path accepted what zod rejects: ${JSON.stringify(v).slice(0, 300)}`).toBe(true);
        expect(res.data).toEqual(v);
      }
    }
    // The fuzzing really exercised rejections.
    expect(rejectedByZod).toBeGreaterThan(1000);
  });

  it('delegates what it does not know exactly to zod: refinements, transforms, defaults, stripping objects', () => {
    const refined = z.strictObject({ a: z.string().refine((s) => s.startsWith('ok')) });
    const transformed = z.strictObject({ a: z.string().transform((s) => s.trim()) });
    const defaulted = z.strictObject({ a: z.string().default('d') });
    const stripping = z.object({ a: z.string() });
    expect(compileValidator(refined)({ a: 'nope' })).toBe(false);
    expect(compileValidator(refined)({ a: 'ok!' })).toBe(true);
    expect(compileValidator(transformed)({ a: ' x ' })).toBe(false); // zod would change the value
    expect(compileValidator(defaulted)({})).toBe(false);
    expect(compileValidator(stripping)({ a: 'x', b: 1 })).toBe(false); // zod would drop b
    expect(compileValidator(stripping)({ a: 'x' })).toBe(true);
  });

  // URLs and records are checked without zod (compileHttpUrl, compileRecord): edge cases where a lax check
  // would accept what zod rejects, or where zod would return a different value.
  const url = z.url({ protocol: /^https?$/ }).max(40);
  it.each([
    ['https://example.com/a?b=1#c'],
    ['HTTP://EXAMPLE.COM/'],
    ['http:example.com'],
    ['https:/path'],
    ['https://'],
    ['https://a b.com'],
    [' https://a.com'],
    ['https://a.com '],
    ['https://a.com\n'],
    ['https://a.c\tom'],
    ['ftp://a.com'],
    ['https://例子.com/'],
    ['https://a.com/%zz'],
    ['https://[::1]:8080/x'],
    ['https://a.com:99999/'],
    ['https://' + 'a'.repeat(40) + '.com'],
    ['javascript://a.com'],
    [''],
  ])('url %j: accepted only when zod accepts it unchanged', (v) => {
    const res = url.safeParse(v);
    if (compileValidator(url)(v)) expect(res.success && res.data === v).toBe(true);
    else if (/^https?:\/\/[a-z.]+\/?[a-z?=#1]*$/i.test(v) && v.length <= 40) throw new Error(`plain URL ${v} fell back to zod`);
  });

  const record = z.record(z.string().min(1).max(8), z.string().max(5)).refine((r) => Object.keys(r).length <= 2, 'at most 2');
  it.each([
    ['{}', true],
    ['{"a":"x","b":"y"}', true],
    ['{"a":"x","b":"y","c":"z"}', false],
    ['{"":"x"}', false],
    ['{"a":"toolong"}', false],
    ['{"a":1}', false],
    ['{"__proto__":"x"}', false],
    ['{"123":"x"}', true],
    ['[]', false],
    ['null', false],
  ])('record %s: accepted = %s, and never when zod rejects', (json, expected) => {
    const v = JSON.parse(json) as unknown;
    const accepted = compileValidator(record)(v);
    expect(accepted).toBe(expected);
    if (accepted) expect(record.safeParse(v)).toMatchObject({ success: true, data: v });
  });

  // z.json() (alert evidence) is a lazy union of type-disjoint options, checked without zod.
  const json = z.record(z.string().max(8), z.json());
  it.each([
    ['{}', true],
    ['{"a":1,"b":"x","c":true,"d":null}', true],
    ['{"a":[1,[2,{"b":[null,"y"]}]],"c":{"d":{"e":-1.5e300}}}', true],
    ['{"a":{"__proto__":1}}', false],
    ['{"toolongkey":1}', false],
    ['{"a":[]}', true],
    ['[1]', false],
    ['"x"', false],
  ])('json record %s: accepted = %s, and never when zod rejects', (text, expected) => {
    const v = JSON.parse(text) as unknown;
    const accepted = compileValidator(json)(v);
    expect(accepted).toBe(expected);
    if (accepted) expect(json.safeParse(v)).toMatchObject({ success: true, data: v });
  });

  it.each([
    ['Infinity', { a: Infinity }],
    ['NaN', { a: [Number.NaN] }],
    ['undefined', { a: undefined }],
    ['a function', { a: () => 1 }],
    ['a Date', { a: new Date(0) }],
    ['a Map', { a: { b: new Map() } }],
    ['a bigint', { a: 1n }],
  ])('json record holding %s: not accepted by the fast path', (_name, v) => {
    expect(compileValidator(json)(v)).toBe(false);
  });

  it('unions it cannot tell apart by kind stay with zod', () => {
    const twoStrings = z.union([z.string().max(2), z.string().transform((s) => s.trim())]);
    expect(compileValidator(twoStrings)(' abc ')).toBe(false); // zod would trim it
    const withObject = z.union([z.strictObject({ a: z.string() }), z.record(z.string(), z.number())]);
    expect(compileValidator(withObject)({ b: 1 })).toBe(true); // zod's answer, unchanged value
    expect(compileValidator(withObject)({ b: 'x' })).toBe(false);
  });
});
