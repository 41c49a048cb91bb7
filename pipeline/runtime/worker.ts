// Starting a worker thread on one of the project's TypeScript modules. In: the module's URL and its
// workerData. Out: a Worker. A worker does not inherit a loader, so a .ts entry runs as its bundle
// (bin/bundle.js, as the CLI itself does), loaded by bin/worker-entry.js so that its stack traces are mapped
// to the .ts sources too.
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { bundle } from '../../bin/bundle.js';

const ENTRY = new URL('../../bin/worker-entry.js', import.meta.url);

/**
 * A worker thread on `entry` (TypeScript or JavaScript) with `workerData`, which may hold the ports given in
 * `opts.transferList`; `opts.resourceLimits` as Worker takes them (e.g. a smaller young generation).
 */
export async function startWorker(entry: URL, workerData: unknown, opts: { transferList?: readonly TransferListItem[]; resourceLimits?: ResourceLimits } = {}): Promise<Worker> {
  return new Worker(ENTRY, { workerData, transferList: [...(opts.transferList ?? [])], ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}), argv: [(await bundle(entry)).href] });
}
