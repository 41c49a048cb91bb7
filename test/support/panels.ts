// Test helper: the boards' panels as Grafana runs them: the rawSql from the built dashboard JSON (for a given
// database), with the columns each panel's spec expects. Used by the panel SQL tests (sample rows, 18.16 and
// chdb) and by the demo test (the demo's own rows).
import { buildBoards } from '../../dashboards/index.ts';

export interface PanelCase {
  board: string;
  title: string;
  sql: string;
  columns: readonly string[];
}

export function panelCases(db: string): PanelCase[] {
  const out: PanelCase[] = [];
  for (const b of buildBoards(db)) {
    const specs = new Map(b.rows.flatMap((r) => r.panels).map((p) => [p.title, p]));
    for (const p of (b.json as { panels: { type: string; title: string; targets?: { rawSql: string }[] }[] }).panels) {
      if (p.type === 'row') continue;
      out.push({ board: b.def.uid, title: p.title, sql: p.targets![0]!.rawSql, columns: specs.get(p.title)!.columns });
    }
  }
  return out;
}
