// The boards as code: the committed JSON is what `npm run dashboards` generates; every board validates
// against the dashboard schema (dashboards/lib/dashboard-schema.ts, with ajv) and the grid rules; every panel
// queries the provisioned ClickHouse datasource in the plugin's shape; macros expand as the plugin does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildBoards } from '../../dashboards/index.ts';
import { GENERATED_DIR, render } from '../../dashboards/generate.ts';
import { DASHBOARD_SCHEMA, layoutErrors } from '../../dashboards/lib/dashboard-schema.ts';
import { DATASOURCE } from '../../dashboards/lib/clickhouse-query.ts';
import { expandMacros } from '../../dashboards/lib/macros.ts';

const boards = buildBoards();
const ROOT = join(import.meta.dirname, '../..');

describe('generated dashboards', () => {
  it('the committed JSON is current (run `npm run dashboards` after changing a board)', () => {
    const committed = readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(boards.map((b) => b.file).sort());
    for (const b of boards) expect(readFileSync(join(GENERATED_DIR, b.file), 'utf8'), b.file).toBe(render(b.json));
  });

  it('has the seven boards the issue asks for, with unique uids', () => {
    expect(boards.map((b) => b.def.title)).toEqual([
      'shelfwatch: Overview',
      'shelfwatch: Price anomalies',
      'shelfwatch: Certificates and licences',
      'shelfwatch: Recalls',
      'shelfwatch: Livestreams',
      'shelfwatch: Platform ranking',
      'shelfwatch: Pipeline health',
    ]);
    expect(new Set(boards.map((b) => b.def.uid)).size).toBe(boards.length);
  });

  const validate = new Ajv({ allErrors: true, strict: false }).compile(DASHBOARD_SCHEMA);
  it.each(boards.map((b) => [b.def.uid, b] as const))('%s validates against the dashboard schema and the grid', (_uid, b) => {
    const ok = validate(b.json);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
    expect(layoutErrors(b.json as never)).toEqual([]);
  });

  it('the schema rejects what Grafana would not load (so it can fail)', () => {
    const b = structuredClone(boards[0]!.json) as { panels: Record<string, unknown>[]; schemaVersion?: unknown };
    delete b.schemaVersion;
    (b.panels[1]!.targets as { rawSql: string }[])[0]!.rawSql = '';
    (b.panels[1]!.gridPos as { w: number }).w = 30;
    expect(validate(b)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath || e.params)).toEqual(expect.arrayContaining([expect.anything()]));
  });

  it('every panel has one ClickHouse SQL target on the provisioned datasource, and the variables platform, category, region', () => {
    const ds = parseYaml(readFileSync(join(ROOT, 'infra/grafana/provisioning/datasources/clickhouse.yaml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    expect(ds.datasources.map((d) => ({ uid: d.uid, type: d.type }))).toContainEqual({ uid: DATASOURCE.uid, type: DATASOURCE.type });
    for (const b of boards) {
      const json = b.json as { panels: { type: string; targets?: { datasource: unknown; rawSql: string }[] }[]; templating: { list: { name: string }[] } };
      expect(json.templating.list.map((v) => v.name)).toEqual(['platform', 'category', 'region']);
      const panels = json.panels.filter((p) => p.type !== 'row');
      expect(panels.length).toBe(b.rows.flatMap((r) => r.panels).length);
      for (const p of panels) {
        expect(p.targets).toHaveLength(1);
        expect(p.targets![0]!.datasource).toEqual(DATASOURCE);
      }
    }
  });
});

describe('expandMacros (as the ClickHouse plugin and Grafana expand them)', () => {
  const o = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z'), intervalSeconds: 60, vars: { platform: ['a', "o'x"], one: 'v' } };
  it.each([
    ['$__timeFilter(fetched_at)', 'fetched_at >= toDateTime(1793491200) AND fetched_at <= toDateTime(1793577600)'],
    ['$__timeInterval(ingested_at)', 'toStartOfInterval(toDateTime(ingested_at), INTERVAL 60 second)'],
    ['toDate($__fromTime) .. $__toTime', 'toDate(toDateTime(1793491200)) .. toDateTime(1793577600)'],
    ['x IN (${platform:singlequote})', "x IN ('a','o\\'x')"],
    ['$one and ${one}', 'v and v'],
    ['$__interval_s', '60'],
  ])('%s', (sql, expected) => {
    expect(expandMacros(sql, o)).toBe(expected);
  });
  it('refuses a variable without a value and an unknown macro', () => {
    expect(() => expandMacros('${nope:singlequote}', o)).toThrow(/nope/);
    expect(() => expandMacros('$__unknown(x)', o)).toThrow(/unexpanded/);
  });
});
