// `npm run dashboards`: writes every board's JSON to dashboards/generated/<uid>.json (committed; a test
// checks the files are current). Removes generated files of boards that no longer exist.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBoards } from './index.ts';

export const GENERATED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'generated');

export const render = (json: unknown): string => JSON.stringify(json, null, 2) + '\n';

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(GENERATED_DIR, { recursive: true });
  const boards = buildBoards();
  const keep = new Set(boards.map((b) => b.file));
  for (const f of readdirSync(GENERATED_DIR)) if (f.endsWith('.json') && !keep.has(f)) rmSync(join(GENERATED_DIR, f));
  for (const b of boards) writeFileSync(join(GENERATED_DIR, b.file), render(b.json));
  process.stdout.write(`wrote ${boards.length} boards to ${GENERATED_DIR}\n`);
}
