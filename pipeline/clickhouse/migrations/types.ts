// The shape of a migration: an id (applied in lexical order, recorded in schema_migrations) and a function
// from the server's capabilities to SQL statements. Statements must be idempotent (IF NOT EXISTS) and run on
// 18.16 and current ClickHouse; name every table in full through ctx.table().
import type { Capabilities } from '../capabilities.ts';

export interface MigrationContext {
  /** `db`.`name`, validated and quoted. */
  table(name: string): string;
}

export interface Migration {
  /** '0001_listing_snapshots': sortable, never renamed once released. */
  id: string;
  up(caps: Capabilities, ctx: MigrationContext): string[];
}

/** LowCardinality(T) where the server has it, T otherwise (same values, smaller and faster when present). */
export const lowCard = (caps: Capabilities, type: string): string => (caps.lowCardinality ? `LowCardinality(${type})` : type);

/**
 * Timestamps: DateTime('UTC') (second precision, the zone fixed so text is read as UTC whatever the server's
 * zone) plus a `<name>_ms UInt16` column for the milliseconds, as 18.16 has no DateTime64.
 */
export const timestampColumns = (name: string): string => `${name} DateTime('UTC'),\n  ${name}_ms UInt16`;
