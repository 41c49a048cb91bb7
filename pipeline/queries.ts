// The project's own read queries (demo and CLI output), in one place so a test runs each of them on the local
// 18.16 server and on current ClickHouse (chdb). Grafana panels and analyst examples join this list as they
// are written. Values never enter the SQL text: only the database identifier, validated and quoted.
import { qualifiedTable } from './clickhouse/escape.ts';

export const QUERIES = {
  /** Listings landed per platform, each snapshot once. */
  landedPerPlatform: (db: string) =>
    `SELECT platform, count() AS listings, uniqExact(seller_id) AS sellers, uniqExact(seller_region_code) AS regions
FROM ${qualifiedTable(db, 'listing_snapshots')} FINAL
GROUP BY platform
ORDER BY platform`,
  /** Dead letters by reason. */
  deadLettersByReason: (db: string) =>
    `SELECT reason, count() AS n
FROM ${qualifiedTable(db, 'dead_letters')} FINAL
GROUP BY reason
ORDER BY reason`,
} as const;

export type QueryName = keyof typeof QUERIES;
