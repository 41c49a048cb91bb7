#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so a checkout needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../pipeline/cli/main.ts');
