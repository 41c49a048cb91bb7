// JSON Schema export of the wire contracts, for consumers outside TypeScript (Python readers, other teams).
// In: the zod schemas in ./index.ts. Out: <outDir>/<name>.schema.json (JSON Schema 2020-12), one per contract
// plus embedded parts. The generated files are committed under docs/schemas/; a test checks they are current.
// Regenerate: npx tsx pipeline/contracts/json-schema.ts [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { contracts, embedded } from './index.ts';

export const SCHEMA_ID_BASE = 'https://shelfwatch.invalid/schemas/';

/** name -> JSON text (stable: 2-space indent, trailing newline). */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, schema] of Object.entries({ ...contracts, ...embedded })) {
    // io 'input': what a producer must send (refinements such as the id checks are not expressible).
    const json = z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    const doc = { $id: `${SCHEMA_ID_BASE}${name}.schema.json`, title: name, ...json };
    out.set(`${name}.schema.json`, JSON.stringify(doc, null, 2) + '\n');
  }
  return out;
}

/** Writes every schema to outDir; returns the file paths written. */
export function writeJsonSchemas(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of renderJsonSchemas()) {
    const path = join(outDir, file);
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? 'docs/schemas');
  for (const p of writeJsonSchemas(outDir)) console.log(p);
}
