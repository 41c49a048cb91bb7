// Shared pieces of every board: the panel spec (title, SQL, the columns it must return), panel factories
// over the foundation SDK, the platform/category/region variables and the SQL filter they expand to.
// In: PanelSpecs from the row files. Out: SDK builders (and the specs, which the tests run).
import * as bargauge from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { qualifiedTable } from '../../pipeline/clickhouse/escape.ts';
import { ClickHouseQueryBuilder, DATASOURCE } from './clickhouse-query.ts';

export type PanelKind = 'timeseries' | 'table' | 'stat' | 'barchart';

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  description?: string;
  /** SQL with the plugin's macros and the board variables. */
  sql: string;
  /** Columns the panel reads, in order: the tests check the query returns exactly these. */
  columns: readonly string[];
  unit?: string;
  /** Grid width (of 24) and height. */
  w?: number;
  h?: number;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

/** Context of a board: the database its SQL names (tests build the boards for their own database). */
export interface BoardContext {
  db: string;
  /** `db`.`name`, validated and quoted. */
  t(name: string): string;
}

export const boardContext = (db: string): BoardContext => ({ db, t: (name) => qualifiedTable(db, name) });

/** The value a variable has when 'All' is selected; the filters below read it as "no filter". */
export const ALL = '__all';

/** `(all selected OR expr IN (selected values))` for a multi-value variable. */
export const varFilter = (variable: string, expr: string): string =>
  `('${ALL}' IN (\${${variable}:singlequote}) OR ${expr} IN (\${${variable}:singlequote}))`;

/** The board filters for the columns a table has (null = the table has no such column). */
export function filters(cols: { platform?: string | null; category?: string | null; region?: string | null }): string {
  const parts: string[] = [];
  if (cols.platform) parts.push(varFilter('platform', cols.platform));
  if (cols.category) parts.push(varFilter('category', cols.category));
  if (cols.region) parts.push(varFilter('region', cols.region));
  return parts.length ? parts.join('\n  AND ') : '1';
}

/** The platform, category and region variables, their values read from listing_snapshots. */
export function boardVariables(ctx: BoardContext): { name: string; label: string; sql: string }[] {
  const ls = ctx.t('listing_snapshots');
  return [
    { name: 'platform', label: 'Platform', sql: `SELECT DISTINCT platform FROM ${ls} ORDER BY platform` },
    { name: 'category', label: 'Category', sql: `SELECT DISTINCT ifNull(category, '') AS category FROM ${ls} ORDER BY category` },
    { name: 'region', label: 'Seller region (GB/T 2260)', sql: `SELECT DISTINCT ifNull(seller_region_code, '') AS region FROM ${ls} ORDER BY region` },
  ];
}

export function variableBuilders(ctx: BoardContext): QueryVariableBuilder[] {
  return boardVariables(ctx).map((v) =>
    new QueryVariableBuilder(v.name)
      .label(v.label)
      .datasource(DATASOURCE)
      .query(v.sql)
      .definition(v.sql)
      .multi(true)
      .includeAll(true)
      .allValue(ALL)
      .current({ selected: true, text: 'All', value: '$__all' })
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc),
  );
}

function target(p: PanelSpec) {
  return new ClickHouseQueryBuilder(p.sql).format(p.kind === 'timeseries' ? 'timeseries' : 'table');
}

/** The SDK builder for one panel spec. */
export function panel(p: PanelSpec) {
  const w = p.w ?? (p.kind === 'stat' ? 6 : 12);
  const h = p.h ?? (p.kind === 'stat' ? 4 : 8);
  const withCommon = <B extends { title(t: string): B; description(d: string): B; datasource(d: common.DataSourceRef): B; withTarget(t: ClickHouseQueryBuilder): B; span(w: number): B; height(h: number): B; unit(u: string): B }>(b: B): B => {
    let out = b.title(p.title).datasource(DATASOURCE).withTarget(target(p)).span(w).height(h);
    if (p.description) out = out.description(p.description);
    if (p.unit) out = out.unit(p.unit);
    return out;
  };
  switch (p.kind) {
    case 'timeseries':
      return withCommon(new timeseries.PanelBuilder()).fillOpacity(10).showPoints(common.VisibilityMode.Never);
    case 'stat':
      return withCommon(new stat.PanelBuilder()).graphMode(common.BigValueGraphMode.None);
    case 'barchart':
      return withCommon(new bargauge.PanelBuilder()).orientation(common.VizOrientation.Horizontal);
    case 'table':
      return withCommon(new table.PanelBuilder());
  }
}

export function row(r: RowSpec): RowBuilder {
  return new RowBuilder(r.title);
}
