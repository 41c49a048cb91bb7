// Starting a worker thread on one of the project's TypeScript modules. In: the module's URL and its
// workerData. Out: a Worker. A worker does not inherit a loader, so a .ts entry runs as its bundle
// (bin/bundle.js, as the CLI itself does), loaded by bin/worker-entry.js so that its stack traces are mapped
// to the .ts sources too.
import { Worker } from 'node:worker_threads';
import { bundle } from '../../bin/bundle.js';

const ENTRY = new URL('../../bin/worker-entry.js', import.meta.url);

/** A worker thread on `entry` (TypeScript or JavaScript) with `workerData`. */
export async function startWorker(entry: URL, workerData: unknown): Promise<Worker> {
  return new Worker(ENTRY, { workerData, argv: [(await bundle(entry)).href] });
}
