// A worker thread's first module (pipeline/runtime/worker.ts): turns source maps on in the thread, as
// bin/shelfwatch.js does for the main thread, then loads the worker's bundle, whose URL is argv[2].
process.setSourceMapsEnabled(true);
await import(process.argv[2]);
