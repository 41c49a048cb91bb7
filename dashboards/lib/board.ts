// A board: uid, title, rows (one file each); buildBoard turns it into Grafana dashboard JSON with the SDK.
// In: BoardDef + the database. Out: the dashboard model (what dashboards/generated/<uid>.json holds).
import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, TimePickerBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { boardContext, panel, row, variableBuilders, type BoardContext, type RowSpec } from './panels.ts';

export interface BoardDef {
  /** Stable: links (http://grafana/d/<uid>) and the generated file name use it. */
  uid: string;
  title: string;
  description: string;
  rows(ctx: BoardContext): RowSpec[];
}

export function buildBoard(def: BoardDef, db: string): { json: Record<string, unknown>; rows: RowSpec[] } {
  const ctx = boardContext(db);
  const rows = def.rows(ctx);
  let b = new DashboardBuilder(def.title)
    .uid(def.uid)
    .description(def.description)
    .tags(['shelfwatch'])
    .timezone('utc')
    .refresh('1m')
    .time({ from: 'now-30d', to: 'now' })
    .timepicker(new TimePickerBuilder().refreshIntervals(['30s', '1m', '5m', '15m', '1h']))
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .link(new DashboardLinkBuilder('shelfwatch boards').type('dashboards' as never).tags(['shelfwatch']).asDropdown(true).includeVars(true).keepTime(true));
  for (const v of variableBuilders(ctx)) b = b.withVariable(v);
  for (const r of rows) {
    b = b.withRow(row(r));
    for (const p of r.panels) b = b.withPanel(panel(p));
  }
  const json = JSON.parse(JSON.stringify(b.build())) as Record<string, unknown> & { panels: { id?: number }[] };
  // Stable panel ids (the SDK leaves them out): links to a panel (viewPanel=<id>) survive regeneration.
  json.panels.forEach((p, i) => (p.id = i + 1));
  return { json, rows };
}
