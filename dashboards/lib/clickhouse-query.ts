// A query builder for the grafana-clickhouse-datasource plugin (v4), which the foundation SDK does not ship.
// In: SQL with the plugin's macros ($__timeFilter(col), $__timeInterval(col), $__fromTime, $__toTime) and
// Grafana variables. Out: the target object the plugin stores in a panel (editorType 'sql', rawSql, format
// and queryType), pointing at the provisioned datasource uid (infra/grafana/provisioning/datasources).
// Query model: https://github.com/grafana/clickhouse-datasource (src/types/sql.ts: CHSqlQuery); format is
// sqlds' FormatQueryOption (0 time series, 1 table).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';

export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'shelfwatch-clickhouse' } as const;
/** The plugin version the query shape follows. */
export const PLUGIN_VERSION = '4.10.1';

export type QueryFormat = 'table' | 'timeseries';

export interface ClickHouseQuery extends cog.Dataquery {
  refId: string;
  datasource: typeof DATASOURCE;
  pluginVersion: string;
  editorType: 'sql';
  queryType: 'table' | 'timeseries';
  format: 0 | 1;
  rawSql: string;
}

export class ClickHouseQueryBuilder implements cog.Builder<cog.Dataquery> {
  private q: Omit<ClickHouseQuery, '_implementsDataqueryVariant'>;

  constructor(rawSql: string) {
    this.q = { refId: 'A', datasource: DATASOURCE, pluginVersion: PLUGIN_VERSION, editorType: 'sql', queryType: 'table', format: 1, rawSql };
  }

  refId(refId: string): this {
    this.q.refId = refId;
    return this;
  }

  format(format: QueryFormat): this {
    this.q.format = format === 'timeseries' ? 0 : 1;
    this.q.queryType = format;
    return this;
  }

  build(): ClickHouseQuery {
    return { ...this.q, _implementsDataqueryVariant: () => {} };
  }
}
