// Price history for the detect stage: at start, price_anomaly's price base is seeded from ClickHouse's
// price_base_daily (QUERIES.priceHistory: per key product, the merged daily quantiles of the last N days, CNY),
// so after a restart, or on a small market, the detector can judge a price on first sight instead of waiting
// for minCount prices per product to stream past. Stream prices still win: keys the stream already has are
// left alone (PriceBase.fromQuantiles), and stream observations replace the seeded window as they arrive.
// In: config.detect (priceHistoryDays, priceHistoryTimeoutMs), config.clickhouse. Out: the seeded
// PriceDetectorState, and one log line with rows loaded / rejected / skipped.
// The stream must not wait on the warehouse: any failure (server down, database not migrated, timeout) is a
// warning naming the cause, and the stage starts from the stream alone.
import { detectorSettings } from '../../detectors/index.ts';
import { NO_CATEGORY, createPriceState, priceAnomaly, type PriceDetectorState } from '../../detectors/price-anomaly.ts';
import type { QuantileRow } from '../../detectors/price-base.ts';
import { createClickHouse, type ClickHouse } from '../clickhouse/client.ts';
import { PRICE_QUANTILES } from '../clickhouse/migrations/0005_price_base_daily.ts';
import { secrets, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { QUERIES } from '../queries.ts';

/** A row of QUERIES.priceHistory as the HTTP interface returns it (UInt64 quoted). */
export interface PriceHistoryRow {
  category: string;
  brand_key: string;
  model_key: string;
  observations: string | number;
  price_quantiles: number[];
}

export interface MappedPriceHistory {
  rows: QuantileRow[];
  /** Index into the input of each row of `rows`. */
  source: number[];
  rejected: { index: number; reason: string }[];
  /** Rows with no key the detector looks up (no category and no model): not an error, nothing to seed. */
  skipped: number;
}

/**
 * ClickHouse rows -> the price base's QuantileRow. '' (price_base_daily's missing brand, model or category)
 * becomes null, a missing category the detector's NO_CATEGORY; malformed rows are rejected with why.
 */
export function quantileRowsFromHistory(input: readonly unknown[]): MappedPriceHistory {
  const out: MappedPriceHistory = { rows: [], source: [], rejected: [], skipped: 0 };
  input.forEach((raw, index) => {
    const r = raw as Partial<Record<keyof PriceHistoryRow, unknown>> | null;
    const reject = (reason: string) => out.rejected.push({ index, reason });
    if (!r || typeof r !== 'object') return reject('not an object');
    const { category, brand_key, model_key, observations, price_quantiles } = r;
    if (typeof category !== 'string' || typeof brand_key !== 'string' || typeof model_key !== 'string') return reject('category, brand_key and model_key must be strings');
    const count = typeof observations === 'string' && /^\d+$/.test(observations) ? Number(observations) : observations;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) return reject(`observations must be a positive integer, got ${JSON.stringify(observations)?.slice(0, 40)}`);
    if (!Array.isArray(price_quantiles) || price_quantiles.length !== PRICE_QUANTILES.length || !price_quantiles.every((v) => typeof v === 'number')) {
      return reject(`price_quantiles must be ${PRICE_QUANTILES.length} numbers (levels ${PRICE_QUANTILES.join(', ')})`);
    }
    if (!category && !model_key) {
      out.skipped++;
      return;
    }
    out.rows.push({ category: category || NO_CATEGORY, brand: brand_key || null, model: model_key || null, count, levels: PRICE_QUANTILES, values: price_quantiles as number[] });
    out.source.push(index);
  });
  return out;
}

/** The price detector's state for the stage to pass in deps, or undefined when price_anomaly is disabled. */
export function priceStateFor(config: Config): PriceDetectorState | undefined {
  const settings = detectorSettings(config.detect.detectors, priceAnomaly);
  return settings.enabled === false ? undefined : createPriceState(settings);
}

export interface SeedResult {
  /** Rows the query returned. */
  rows: number;
  loaded: number;
  rejected: number;
  skipped: number;
  /** Why nothing was loaded (ClickHouse unreachable, timeout, ...); absent on success or when off. */
  error?: string;
}

/**
 * Seeds `state.base` from the last config.detect.priceHistoryDays of price_base_daily. Never throws: a failure
 * is logged as a warning and reported in the result. `ch` for tests; otherwise a client is made and closed here.
 */
export async function seedPriceHistory(config: Config, state: PriceDetectorState, log: Logger, ch?: ClickHouse): Promise<SeedResult> {
  const days = config.detect.priceHistoryDays;
  if (days === 0) return { rows: 0, loaded: 0, rejected: 0, skipped: 0 };
  const client = ch ?? createClickHouse(config.clickhouse, { password: secrets.clickhousePassword() });
  const started = Date.now();
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no answer within detect.priceHistoryTimeoutMs (${config.detect.priceHistoryTimeoutMs} ms)`));
      }, config.detect.priceHistoryTimeoutMs);
      timer.unref();
    });
    const raw = await Promise.race([client.query(QUERIES.priceHistory(client.database, { days, currency: 'CNY' }), { signal: abort.signal }), timeout]);
    const mapped = quantileRowsFromHistory(raw);
    const seeded = state.base.fromQuantiles(mapped.rows);
    const rejected = [...mapped.rejected, ...seeded.rejected.map((r) => ({ index: mapped.source[r.index]!, reason: r.reason }))];
    const result: SeedResult = { rows: raw.length, loaded: seeded.loaded, rejected: rejected.length, skipped: mapped.skipped };
    const line = { ...result, days, currency: 'CNY', keys: state.base.size, ms: Date.now() - started, database: client.database };
    if (rejected.length) {
      log.warn({ ...line, firstRejected: rejected.slice(0, 5).map((r) => ({ ...r, row: raw[r.index] })) }, 'price history loaded from ClickHouse; some rows rejected');
    } else log.info(line, 'price history loaded from ClickHouse');
    return result;
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    log.warn({ days, url: client.url, database: client.database, cause }, `price history not loaded from ClickHouse (${cause}); price_anomaly starts from the stream alone`);
    return { rows: 0, loaded: 0, rejected: 0, skipped: 0, error: cause };
  } finally {
    clearTimeout(timer);
    if (!ch) await client.close().catch(() => {});
  }
}
