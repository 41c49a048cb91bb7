#!/usr/bin/env node
// Entry point: runs the TypeScript CLI as one bundle (bin/bundle.js: esbuild, rebuilt when a source file
// changed), so a checkout needs no build step after `npm ci`.
import { bundle } from './bundle.js';

process.setSourceMapsEnabled(true); // stack traces in the .ts sources, not the bundle
await import((await bundle(new URL('../pipeline/cli/main.ts', import.meta.url))).href);
