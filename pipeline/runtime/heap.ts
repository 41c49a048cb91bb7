// V8's heap policy for a process that runs stages. In: runtime.heapGrowingPercent. Out: V8's
// --heap-growing-percent set for this process (it applies from the next collection on).
// Why: a stage keeps a large long-lived state (detect: the reference views and the price base, ~200 MB at
// 100k certificates, 20k recalls and 200k listings) and allocates a stream of short-lived messages. With V8's
// own growing factor the heap reached 650-690 MB RSS in `npm run bench:detect` for ~200 MB live; at 20% it
// stayed near 500 MB, at 10% (the default since the detect stage runs on three threads) about 460, the
// wall-clock ratio unchanged within the noise, at the cost of more frequent full collections (marked on
// helper threads, so the process's CPU per message rises). The flag is the process's: every isolate in
// it (the stage's thread and its workers) grows its heap by the same rule.
import v8 from 'node:v8';
import type { Config } from '../config.ts';

export function applyHeapPolicy(runtime: Pick<Config['runtime'], 'heapGrowingPercent'>): void {
  if (runtime.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${runtime.heapGrowingPercent}`);
}
