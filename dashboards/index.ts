// Every Grafana board shelfwatch ships, in one list. `npm run dashboards` writes each as
// dashboards/generated/<uid>.json (loaded by Grafana's file provisioning, infra/grafana/provisioning).
// In: the database the panels query (config clickhouse.database). Out: dashboard JSON + the panel specs.
import { buildBoard, type BoardDef } from './lib/board.ts';
import type { RowSpec } from './lib/panels.ts';
import { certificatesBoard } from './certificates/index.ts';
import { livestreamsBoard } from './livestreams/index.ts';
import { overviewBoard } from './overview/index.ts';
import { pipelineHealthBoard } from './pipeline-health/index.ts';
import { priceBoard } from './price/index.ts';
import { rankingBoard } from './ranking/index.ts';
import { recallsBoard } from './recalls/index.ts';

export const BOARDS: readonly BoardDef[] = [overviewBoard, priceBoard, certificatesBoard, recallsBoard, livestreamsBoard, rankingBoard, pipelineHealthBoard];

/** The database the committed JSON names (the config default; Grafana's datasource uses it too). */
export const GENERATED_DATABASE = 'shelfwatch';

export interface BuiltBoard {
  def: BoardDef;
  file: string;
  json: Record<string, unknown>;
  rows: RowSpec[];
}

export function buildBoards(db: string = GENERATED_DATABASE): BuiltBoard[] {
  return BOARDS.map((def) => ({ def, file: `${def.uid}.json`, ...buildBoard(def, db) }));
}

/** http://<grafana>/d/<uid> for each board. */
export function boardLinks(grafanaUrl = 'http://127.0.0.1:3000'): { title: string; url: string }[] {
  return BOARDS.map((b) => ({ title: b.title, url: `${grafanaUrl.replace(/\/+$/, '')}/d/${b.uid}` }));
}
