#!/usr/bin/env node
// Runs one TypeScript file of the project the way bin/shelfwatch.js runs the CLI (bundled, bin/bundle.js),
// with its arguments: `node bin/run.js bench/detect.ts --rounds 3`. The benches run this way, like the stages.
import { bundle } from './bundle.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bin/run.js FILE.ts [ARGS...]\n');
  process.exit(2);
}
process.setSourceMapsEnabled(true); // stack traces in the .ts sources, not the bundle
process.argv.splice(1, 1); // the script's own argv: [node, FILE.ts, ...ARGS], as `node --import tsx FILE.ts` gives
await import((await bundle(file)).href);
