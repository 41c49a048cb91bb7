// What the connected ClickHouse server can do, by version. In: a client (or anything that can run a query).
// Out: Capabilities, used by migrations to pick a variant (e.g. LowCardinality(String) on current servers,
// String on 18.16). Thresholds are conservative, a few releases after the feature appeared: a false flag on
// an in-between version only means the plainer SQL (which every version runs) is used.
//   LowCardinality: experimental in 18.12-18.16, on by default later        -> >= 19.9
//   TTL on tables and columns                                               -> >= 19.6
//   server-side query parameters {name:Type}                                -> >= 19.11
//   DateTime64                                                              -> >= 20.1
//   Arrow / ArrowStream input formats                                       -> >= 20.6

export interface Capabilities {
  version: string;
  major: number;
  minor: number;
  lowCardinality: boolean;
  ttl: boolean;
  queryParams: boolean;
  dateTime64: boolean;
  arrowInput: boolean;
}

export function capabilitiesForVersion(version: string): Capabilities {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`cannot read a ClickHouse version from ${JSON.stringify(version).slice(0, 100)}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  return {
    version: version.trim(),
    major,
    minor,
    lowCardinality: atLeast(19, 9),
    ttl: atLeast(19, 6),
    queryParams: atLeast(19, 11),
    dateTime64: atLeast(20, 1),
    arrowInput: atLeast(20, 6),
  };
}

/** The 18.16 baseline: every flag false. Migrations rendered with it run on every supported version. */
export const BASELINE_CAPABILITIES: Capabilities = capabilitiesForVersion('18.16.1');

export async function detectCapabilities(client: { query<T>(sql: string): Promise<T[]> }): Promise<Capabilities> {
  const rows = await client.query<{ version: string }>('SELECT version() AS version');
  const version = rows[0]?.version;
  if (typeof version !== 'string') throw new Error('SELECT version() returned no row');
  return capabilitiesForVersion(version);
}
