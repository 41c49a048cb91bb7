// Every migration, in the order they are applied. Append only: never edit or reorder a released one; change a
// table with a new migration. Note 18.16 has no `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` (syntax error 62):
// migrate() records each applied id so an ALTER normally runs once, but a migration that adds columns should
// gate on caps or tolerate "column already exists" (code 44) if it may be re-run after a partial failure.
import { listingSnapshots } from './0001_listing_snapshots.ts';
import { livestreamSnapshots } from './0002_livestream_snapshots.ts';
import { alerts } from './0003_alerts.ts';
import { deadLetters } from './0004_dead_letters.ts';
import { priceBaseDaily } from './0005_price_base_daily.ts';
import { alertsDaily } from './0006_alerts_daily.ts';
import { platformFailureRate } from './0007_platform_failure_rate.ts';
import { livestreamRisk } from './0008_livestream_risk.ts';
import { sellerAlertsDaily } from './0009_seller_alerts_daily.ts';
import type { Migration } from './types.ts';

export type { Migration, MigrationContext } from './types.ts';

export const migrations: readonly Migration[] = [
  listingSnapshots,
  livestreamSnapshots,
  alerts,
  deadLetters,
  // Aggregates (materialized views maintained by ClickHouse; docs/clickhouse.md).
  priceBaseDaily,
  alertsDaily,
  platformFailureRate,
  livestreamRisk,
  sellerAlertsDaily,
];
