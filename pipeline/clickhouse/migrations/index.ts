// Every migration, in the order they are applied. Append only: never edit or reorder a released one; change a
// table with a new migration. Note 18.16 has no `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` (syntax error 62):
// migrate() records each applied id so an ALTER normally runs once, but a migration that adds columns should
// gate on caps or tolerate "column already exists" (code 44) if it may be re-run after a partial failure.
import { listingSnapshots } from './0001_listing_snapshots.ts';
import { livestreamSnapshots } from './0002_livestream_snapshots.ts';
import { alerts } from './0003_alerts.ts';
import { deadLetters } from './0004_dead_letters.ts';
import type { Migration } from './types.ts';

export type { Migration, MigrationContext } from './types.ts';

export const migrations: readonly Migration[] = [listingSnapshots, livestreamSnapshots, alerts, deadLetters];
