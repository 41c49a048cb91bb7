// Expands the grafana-clickhouse-datasource macros and Grafana template variables the boards use, the way
// the plugin and Grafana do, so tests can run panel SQL on ClickHouse directly.
// In: panel SQL, a time range, an interval, variable values. Out: plain SQL.
// Macro texts follow the plugin's pkg/macros/macros.go: $__timeFilter(c) -> c >= toDateTime(from) AND
// c <= toDateTime(to); $__timeInterval(c) -> toStartOfInterval(toDateTime(c), INTERVAL n second);
// $__fromTime / $__toTime -> toDateTime(unix seconds); $__interval_s -> n.
// Variables: ${name:singlequote} -> 'a','b' (quotes in values escaped as Grafana does: ' -> \'), $name and
// ${name} -> the raw value(s) joined with ','.

export interface ExpandOptions {
  from: Date;
  to: Date;
  intervalSeconds: number;
  vars: Record<string, string | readonly string[]>;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function expandMacros(sql: string, o: ExpandOptions): string {
  const dt = (d: Date) => `toDateTime(${seconds(d)})`;
  const interval = Math.max(1, Math.floor(o.intervalSeconds));
  let out = sql
    .replace(/\$__timeFilter\(\s*([^)]+?)\s*\)/g, (_m, c: string) => `${c} >= ${dt(o.from)} AND ${c} <= ${dt(o.to)}`)
    .replace(/\$__timeInterval\(\s*([^)]+?)\s*\)/g, (_m, c: string) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${interval} second)`)
    .replace(/\$__fromTime\b/g, dt(o.from))
    .replace(/\$__toTime\b/g, dt(o.to))
    .replace(/\$__interval_s\b/g, String(interval));
  const values = (name: string): string[] => {
    const v = o.vars[name];
    if (v === undefined) throw new Error(`panel SQL uses variable ${name}, which has no value`);
    return typeof v === 'string' ? [v] : [...v];
  };
  out = out.replace(/\$\{(\w+):singlequote\}/g, (_m, n: string) => values(n).map((v) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(','));
  out = out.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
    const n = (a ?? b)!;
    if (n.startsWith('__')) return m;
    return values(n).join(',');
  });
  if (/\$__\w+/.test(out)) throw new Error(`unexpanded macro in: ${out.match(/\$__\w+/)![0]}`);
  return out;
}
