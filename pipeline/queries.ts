// The project's own read queries (demo and CLI output, analysts' example questions, what the price detector
// reads back), in one place so a test runs each of them on the local 18.16 server and on current ClickHouse
// (chdb). Grafana panels live in dashboards/ and are checked the same way by test/dashboards.
// Values: only the database identifier (validated, quoted) and analyst parameters enter the SQL text; the
// parameters are validated here and inlined with sqlString (18.16 has no server-side query parameters).
// Crawled text never does. Joined subqueries carry an alias: current servers require one
// (joined_subquery_requires_alias), 18.16 accepts it. Every entry runs with just the database (its defaults are the documented example).
import { PRICE_QUANTILES, productKeySql } from './clickhouse/migrations/0005_price_base_daily.ts';
import { qualifiedTable, sqlString } from './clickhouse/escape.ts';

/** 'YYYY-MM-DD' as a Date literal, or the SQL default when absent. */
const dateOr = (value: string | undefined, fallback: string): string => {
  if (value === undefined) return fallback;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`expected a date YYYY-MM-DD, got ${JSON.stringify(value).slice(0, 40)}`);
  return `toDate(${sqlString(value)})`;
};
const list = (values: readonly string[]): string => {
  if (values.length === 0) throw new RangeError('expected at least one value');
  return values.map(sqlString).join(', ');
};

export interface PriceBaseParams {
  category: string;
  brand: string | null;
  model: string | null;
  /** First day included (YYYY-MM-DD). @default 90 days ago */
  since?: string;
}
export interface PriceHistoryParams {
  /** Days back from today included (today counts). @default 28 */
  days?: number;
  /** Only prices in this currency (the detector compares like with like). @default 'CNY' */
  currency?: string;
}
export interface RankingParams {
  /** Any day of the month (YYYY-MM-DD). @default this month */
  month?: string;
  /** Categories counted together. @default children's products */
  categories?: readonly string[];
}
export interface DistrictParams {
  /** GB/T 2260 code: 2 digits (province), 4 (prefecture) or 6 (county/district). */
  region: string;
  /** @default 90 days ago */
  since?: string;
}

/** Categories the demo and the boards treat as children's products. */
export const CHILDREN_CATEGORIES = ['children_toys', 'children_car_seats', 'children_textiles', 'textiles'] as const;

const regionPrefix = (region: string): string => {
  if (!/^\d{2}(?:\d{2}){0,2}$/.test(region)) throw new RangeError(`expected a GB/T 2260 code of 2, 4 or 6 digits, got ${JSON.stringify(region).slice(0, 40)}`);
  return sqlString(`${region}%`);
};

export interface DemoScope {
  /** Only rows whose url starts with this (the demo market's base URL). @default all */
  urlPrefix?: string;
  /** Only rows fetched (dead letters: failed) at or after this moment (the demo run's start). @default all */
  since?: Date;
}
const demoScope = (p: DemoScope, timeColumn: string, withUrl = true): string => {
  const conds = ['1'];
  if (withUrl && p.urlPrefix) conds.push(`startsWith(url, ${sqlString(p.urlPrefix)})`);
  if (p.since) conds.push(`${timeColumn} >= toDateTime(${sqlString(p.since.toISOString().slice(0, 19).replace('T', ' '))}, 'UTC')`);
  return conds.join(' AND ');
};

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

  /** Demo: listings per platform in scope, each listing once however often crawled; snapshots = distinct page contents (an unchanged page re-crawled is the same snapshot). */
  demoListings: (db: string, p: DemoScope = {}) =>
    `SELECT platform, uniqExact(listing_id) AS listings, uniqExact(snapshot_id) AS snapshots, uniqExact(seller_id) AS sellers, toUInt64(ifNull(uniqExact(seller_region_code), 0)) AS regions
FROM ${qualifiedTable(db, 'listing_snapshots')} FINAL
WHERE ${demoScope(p, 'fetched_at')}
GROUP BY platform
ORDER BY platform`,
  /** Demo: livestream rooms and samples per platform in scope. */
  demoLivestreams: (db: string, p: DemoScope = {}) =>
    `SELECT platform, uniqExact(room_id) AS rooms, count() AS samples, uniqExact(host_id) AS hosts
FROM ${qualifiedTable(db, 'livestream_snapshots')} FINAL
WHERE ${demoScope(p, 'fetched_at')}
GROUP BY platform
ORDER BY platform`,
  /** Demo: alerts (each alert id once) by detector and rule, in scope (fetched_at: of the latest snapshot that raised it). */
  demoAlertsByRule: (db: string, p: DemoScope = {}) =>
    `SELECT detector, rule_id, count() AS alerts, uniqExact(platform, subject_id) AS subjects
FROM ${qualifiedTable(db, 'alerts')} FINAL
WHERE ${demoScope(p, 'fetched_at')}
GROUP BY detector, rule_id
ORDER BY detector, rule_id`,
  /** Demo: seller regions with the most alerts in scope (the district the demo asks about). */
  demoAlertRegions: (db: string, p: DemoScope = {}) =>
    `SELECT region_code, uniqExact(alert_id) AS alerts
FROM ${qualifiedTable(db, 'alerts')} FINAL
WHERE ${demoScope(p, 'fetched_at')} AND isNotNull(region_code)
GROUP BY region_code
ORDER BY alerts DESC, region_code
LIMIT 5`,
  /** Demo: dead letters by stage and reason failed since the scope's moment (url not applied: a dead letter may have none; a replayed dead letter keeps its id, its row carries the latest failure). */
  demoDeadLetters: (db: string, p: DemoScope = {}) =>
    `SELECT stage, reason, count() AS n
FROM ${qualifiedTable(db, 'dead_letters')} FINAL
WHERE ${demoScope(p, 'failed_at', false)}
GROUP BY stage, reason
ORDER BY stage, reason`,

  /**
   * Analyst: "which platforms failed most this month in children's products": problem listings / listings
   * observed per platform, from the failure-rate views. A listing counts once however often it was seen.
   */
  platformFailureRanking: (db: string, p: RankingParams = {}) => {
    const month = `toStartOfMonth(${dateOr(p.month, 'today()')})`;
    const cats = list(p.categories ?? CHILDREN_CATEGORIES);
    return `SELECT platform, listings, problem_listings, round(problem_listings / listings, 4) AS failure_rate
FROM (
  SELECT platform, uniqExactMerge(listings) AS listings
  FROM ${qualifiedTable(db, 'listings_observed_monthly')}
  WHERE month = ${month} AND category IN (${cats})
  GROUP BY platform
) AS observed ANY LEFT JOIN (
  SELECT platform, uniqExactMerge(problem_listings) AS problem_listings
  FROM ${qualifiedTable(db, 'problem_listings_monthly')}
  WHERE month = ${month} AND category IN (${cats})
  GROUP BY platform
) AS problems USING (platform)
ORDER BY failure_rate DESC, platform`;
  },

  /**
   * Analyst (and the price detector): "price base of product X": quantiles of observed prices of one key
   * product (category + normalised brand + model) since a day, from price_base_daily.
   */
  priceBase: (db: string, p: PriceBaseParams = { category: 'children_toys', brand: '乐童', model: 'LT-2024A' }) => {
    const q = PRICE_QUANTILES.join(', ');
    const brandKey = productKeySql(p.brand === null ? 'NULL' : sqlString(p.brand));
    const modelKey = productKeySql(p.model === null ? 'NULL' : sqlString(p.model));
    return `SELECT category, brand_key, model_key, currency,
  uniqExactMerge(observations) AS observations,
  uniqExactMerge(listings) AS listings,
  arrayMap(x -> round(x, 2), quantilesExactMerge(${q})(price_quantiles)) AS price_quantiles,
  round(minMerge(price_min), 2) AS price_min,
  round(maxMerge(price_max), 2) AS price_max,
  min(day) AS first_day,
  max(day) AS last_day
FROM ${qualifiedTable(db, 'price_base_daily')}
WHERE category = ${sqlString(p.category)} AND brand_key = ${brandKey} AND model_key = ${modelKey}
  AND day >= ${dateOr(p.since, 'today() - 90')}
GROUP BY category, brand_key, model_key, currency
ORDER BY currency`;
  },

  /**
   * The price detector at start: every key product's price quantiles (PRICE_QUANTILES, in that order) and
   * observation count over the last `days` days, in one currency, to seed its price base
   * (pipeline/stages/price-history.ts). Keys as price_base_daily stores them (lower case, no separators; ''
   * for a missing brand/model/category): the detector normalises them onto its own keys.
   */
  priceHistory: (db: string, p: PriceHistoryParams = {}) => {
    const days = p.days ?? 28;
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new RangeError(`expected days as an integer in 1..3650, got ${String(days).slice(0, 40)}`);
    const currency = p.currency ?? 'CNY';
    if (!/^[A-Z]{3}$/.test(currency)) throw new RangeError(`expected an ISO 4217 currency code, got ${JSON.stringify(currency).slice(0, 40)}`);
    return `SELECT category, brand_key, model_key,
  uniqExactMerge(observations) AS observations,
  quantilesExactMerge(${PRICE_QUANTILES.join(', ')})(price_quantiles) AS price_quantiles
FROM ${qualifiedTable(db, 'price_base_daily')}
WHERE currency = ${sqlString(currency)} AND day > today() - ${days}
GROUP BY category, brand_key, model_key
ORDER BY category, brand_key, model_key`;
  },

  /**
   * Analyst (local bureau): "alerts for sellers in district D": one row per seller (credit code when
   * known, across platforms) with alerts, listings, detectors, platforms, from seller_alerts_daily.
   */
  sellerAlertsInDistrict: (db: string, p: DistrictParams = { region: '440305' }) =>
    `SELECT seller_key, region_code,
  arraySort(groupUniqArray(platform)) AS platforms,
  arraySort(groupUniqArray(seller_id)) AS seller_ids,
  uniqExactMerge(alerts) AS alerts,
  uniqExactMerge(subjects) AS listings,
  arraySort(groupUniqArrayMerge(detectors)) AS detectors,
  maxMerge(max_score) AS max_score,
  toString(maxMerge(last_seen)) AS last_seen
FROM ${qualifiedTable(db, 'seller_alerts_daily')}
WHERE region_code LIKE ${regionPrefix(p.region)} AND day >= ${dateOr(p.since, 'today() - 90')}
GROUP BY seller_key, region_code
ORDER BY alerts DESC, seller_key`,

  /** Alerts by detector and severity (each alert once, whatever its re-emissions), from alerts_daily. */
  alertsByDetector: (db: string) =>
    `SELECT detector, severity, uniqExactMerge(alerts) AS alerts, uniqExactMerge(subjects) AS subjects
FROM ${qualifiedTable(db, 'alerts_daily')}
GROUP BY detector, severity
ORDER BY detector, severity`,

  /** Livestream risk per room and host: samples, peak viewers, alerts and the highest alert score. */
  livestreamRisk: (db: string) =>
    `SELECT platform, room_id, host_id, host_name, samples, peak_viewers, alerts, max_score
FROM (
  SELECT platform, room_id, host_id, argMaxMerge(host_name) AS host_name, uniqExactMerge(samples) AS samples, maxMerge(peak_viewers) AS peak_viewers
  FROM ${qualifiedTable(db, 'livestream_rooms_daily')}
  GROUP BY platform, room_id, host_id
) AS rooms ANY LEFT JOIN (
  SELECT platform, room_id, uniqExactMerge(alerts) AS alerts, maxMerge(max_score) AS max_score
  FROM ${qualifiedTable(db, 'livestream_alerts_daily')}
  GROUP BY platform, room_id
) AS room_alerts USING (platform, room_id)
ORDER BY alerts DESC, max_score DESC, platform, room_id`,
} as const;

export type QueryName = keyof typeof QUERIES;
