// SQL snippets the boards share: filters per table, the day range of the daily aggregates, detector groups.
import { filters } from './panels.ts';

/** Daily aggregates (Date `day`) within the dashboard's time range. */
export const DAY_RANGE = 'day >= toDate($__fromTime) AND day <= toDate($__toTime)';
/** Monthly aggregates (Date `month`) overlapping the dashboard's time range. */
export const MONTH_RANGE = 'month >= toStartOfMonth($__fromTime) AND month <= toStartOfMonth($__toTime)';

/** Board filters on listing_snapshots. */
export const LISTING_FILTERS = filters({ platform: 'platform', category: "ifNull(category, '')", region: "ifNull(seller_region_code, '')" });
/** Board filters on alerts. */
export const ALERT_FILTERS = filters({ platform: 'platform', category: "ifNull(category, '')", region: "ifNull(region_code, '')" });
/** Board filters on the aggregates keyed by platform, category, region_code (ifNull'ed already). */
export const AGG_FILTERS = filters({ platform: 'platform', category: 'category', region: 'region_code' });

/** Detectors each board is about (names from the detector registry, detectors/index.ts). */
export const DETECTORS = {
  price: ['price_anomaly'],
  certificates: ['certificate_mismatch'], // CCC (ccc_*) and licence (licence_*) rules
  recalls: ['recall_match'],
} as const;

export const inList = (names: readonly string[]): string => names.map((n) => `'${n.replace(/[^a-z0-9_]/g, '')}'`).join(', ');

/**
 * The start of the panel interval a timestamp falls in. The plugin's $__timeInterval(col) expands to
 * toStartOfInterval(...), which ClickHouse 18.16 does not have (code 46, UNKNOWN_FUNCTION); this is the same
 * bucket from the plugin's $__interval_s, and runs on 18.16 and current servers alike.
 */
export const timeBucket = (col: string): string => `toDateTime(intDiv(toUInt32(${col}), $__interval_s) * $__interval_s)`;
