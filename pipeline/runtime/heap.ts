// V8's heap policy for a process that runs stages. In: runtime.heapGrowingPercent. Out: V8's
// --heap-growing-percent set for this process (it applies from the next collection on).
// Why: a stage keeps a large long-lived state (detect: the reference views and the price base, ~200 MB at
// 100k certificates, 20k recalls and 200k listings) and allocates a stream of short-lived messages. With V8's
// own growing factor the heap reached 650-690 MB RSS in `npm run bench:detect` for ~200 MB live; at 20% it
// stays near 500 MB, the wall-clock ratio unchanged within the noise, at the cost of more frequent full
// collections (done on a helper thread, so the process's CPU per message rises).
import v8 from 'node:v8';
import type { Config } from '../config.ts';

export function applyHeapPolicy(runtime: Pick<Config['runtime'], 'heapGrowingPercent'>): void {
  if (runtime.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${runtime.heapGrowingPercent}`);
}
