// Human output for CLI commands (stdout); logs go to stderr.
import type { InfraStatus } from '../../infra/local/index.ts';

export function printStatus(s: InfraStatus, out: NodeJS.WritableStream = process.stdout): void {
  for (const svc of [s.kafka, s.clickhouse]) {
    const state = svc.running ? 'running' : 'not running';
    const who = svc.managed ? (svc.pid ? `pid ${svc.pid}` : 'managed') : 'external';
    out.write(`${svc.name.padEnd(11)} ${state.padEnd(12)} ${svc.address.padEnd(26)} ${who}${svc.detail ? `  (${svc.detail})` : ''}\n`);
  }
}
