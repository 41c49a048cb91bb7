// Command registry: each feature's commands live in their own file and are listed here, one line each.
import type { Command } from 'commander';
import type { Action } from '../action.ts';
import { register as crawl } from './crawl.ts';
import { register as demoMarket } from './demo-market.ts';
import { register as demo } from './demo.ts';
import { register as outliers } from './outliers.ts';
import { register as reference } from './reference.ts';
import { register as detect } from './detect.ts';
import { register as exportCommand } from './export.ts';

type Register = (program: Command, action: Action) => void;

const COMMANDS: Register[] = [
  exportCommand,
  outliers,
  reference,
  detect,
  crawl,
  demoMarket,
  demo,
];

export function registerCommands(program: Command, action: Action): void {
  for (const register of COMMANDS) register(program, action);
}
