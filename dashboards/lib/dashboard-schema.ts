// The essential checks of Grafana's dashboard model (schemaVersion 36+), as a JSON Schema for ajv: what
// Grafana needs to load a provisioned dashboard file and what our panels rely on. Written here from the
// dashboard model documentation (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/);
// the foundation SDK npm package ships TypeScript types but no JSON Schema. Layout rules a JSON Schema
// cannot state (x + w <= 24, rows before their panels) are in layoutErrors().

const datasourceRef = {
  type: 'object',
  required: ['type', 'uid'],
  properties: { type: { type: 'string', minLength: 1 }, uid: { type: 'string', minLength: 1 } },
} as const;

const gridPos = {
  type: 'object',
  required: ['x', 'y', 'w', 'h'],
  properties: {
    x: { type: 'integer', minimum: 0, maximum: 23 },
    y: { type: 'integer', minimum: 0 },
    w: { type: 'integer', minimum: 1, maximum: 24 },
    h: { type: 'integer', minimum: 1 },
  },
} as const;

const target = {
  type: 'object',
  required: ['refId', 'datasource', 'editorType', 'rawSql', 'format'],
  properties: {
    refId: { type: 'string', pattern: '^[A-Z]$' },
    datasource: datasourceRef,
    editorType: { const: 'sql' },
    rawSql: { type: 'string', minLength: 1 },
    format: { enum: [0, 1] },
    queryType: { enum: ['table', 'timeseries'] },
  },
} as const;

export const DASHBOARD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['uid', 'title', 'schemaVersion', 'panels', 'templating', 'annotations', 'time'],
  properties: {
    uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    schemaVersion: { type: 'integer', minimum: 36 },
    timezone: { type: 'string' },
    editable: { type: 'boolean' },
    graphTooltip: { enum: [0, 1, 2] },
    refresh: { anyOf: [{ type: 'string' }, { const: false }] },
    time: { type: 'object', required: ['from', 'to'], properties: { from: { type: 'string' }, to: { type: 'string' } } },
    annotations: { type: 'object', properties: { list: { type: 'array' } } },
    links: { type: 'array', items: { type: 'object', required: ['title', 'type'], properties: { type: { enum: ['link', 'dashboards'] } } } },
    templating: {
      type: 'object',
      required: ['list'],
      properties: {
        list: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type', 'name'],
            properties: {
              type: { enum: ['query', 'adhoc', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system', 'snapshot'] },
              name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
              datasource: datasourceRef,
              query: { anyOf: [{ type: 'string' }, { type: 'object' }] },
              multi: { type: 'boolean' },
              includeAll: { type: 'boolean' },
              allValue: { type: 'string' },
              refresh: { enum: [0, 1, 2] },
              sort: { enum: [0, 1, 2, 3, 4, 5, 6, 7, 8] },
              current: { type: 'object', required: ['text', 'value'] },
            },
          },
        },
      },
    },
    panels: {
      type: 'array',
      minItems: 1,
      items: {
        anyOf: [
          {
            type: 'object',
            required: ['type', 'id', 'title', 'gridPos', 'collapsed', 'panels'],
            properties: { type: { const: 'row' }, id: { type: 'integer' }, title: { type: 'string', minLength: 1 }, gridPos, collapsed: { type: 'boolean' }, panels: { type: 'array' } },
          },
          {
            type: 'object',
            required: ['type', 'id', 'title', 'gridPos', 'datasource', 'targets'],
            properties: {
              type: { enum: ['timeseries', 'table', 'stat', 'barchart', 'bargauge', 'piechart', 'text'] },
              id: { type: 'integer', minimum: 1 },
              title: { type: 'string', minLength: 1 },
              gridPos,
              datasource: datasourceRef,
              targets: { type: 'array', minItems: 1, items: target },
              options: { type: 'object' },
              fieldConfig: { type: 'object', required: ['defaults', 'overrides'], properties: { defaults: { type: 'object' }, overrides: { type: 'array' } } },
            },
          },
        ],
      },
    },
  },
} as const;

/** Layout problems the schema cannot express: panels outside the 24-column grid, duplicate ids, overlaps. */
export function layoutErrors(dashboard: { panels: { id: number; title: string; gridPos: { x: number; y: number; w: number; h: number } }[] }): string[] {
  const errors: string[] = [];
  const ids = new Set<number>();
  const cells = new Map<string, string>();
  for (const p of dashboard.panels) {
    if (ids.has(p.id)) errors.push(`duplicate panel id ${p.id}`);
    ids.add(p.id);
    const g = p.gridPos;
    if (g.x + g.w > 24) errors.push(`${p.title}: x + w = ${g.x + g.w} > 24`);
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const k = `${x},${y}`;
        if (cells.has(k)) errors.push(`${p.title} overlaps ${cells.get(k)} at ${k}`);
        cells.set(k, p.title);
      }
    }
  }
  return [...new Set(errors)];
}
