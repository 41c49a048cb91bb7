import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDetectors, detectConfigSchema, DETECTORS } from '../../detectors/index.ts';
import { createReferenceViews } from '../../detectors/reference/views.ts';
import { defineDetector, type DetectorDefinition } from '../../detectors/types.ts';
import { Alert, alertId } from '../../pipeline/contracts/index.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { alertsFor } from '../../pipeline/stages/detect.ts';
import { certificate, listing } from './support/fixtures.ts';

const boom = defineDetector({
  name: 'boom',
  description: 'throws',
  subjects: ['listing'],
  configSchema: z.strictObject({}),
  rules: [],
  create: () => () => {
    throw new Error('bug');
  },
});

describe('detect stage core (alertsFor)', () => {
  it('wraps findings into valid alerts with deterministic ids; a throwing detector does not stop the others', () => {
    const views = createReferenceViews();
    views.apply('certificates', '2020010702123456', certificate());
    const defs = { boom: boom as DetectorDefinition, certificate_mismatch: DETECTORS.certificate_mismatch! };
    const detectors = createDetectors({}, { logger: silentLogger }, defs);
    const errors: string[] = [];
    const l = listing({ listing_id: 'X1', ccc_numbers: ['2020010702999999'] });
    const alerts = alertsFor({ kind: 'listing', snapshot: l }, detectors, views, (d) => errors.push(d));
    expect(errors).toEqual(['boom']);
    expect(alerts).toHaveLength(1);
    const a = Alert.parse(alerts[0]);
    expect(a).toMatchObject({ detector: 'certificate_mismatch', rule_id: 'ccc_not_in_register', subject_kind: 'listing', subject_id: 'X1', created_at: l.fetched_at, seller_id: 'S1', region_code: '440305' });
    expect(a.alert_id).toBe(alertId('listing:demo_market:X1', 'certificate_mismatch', 'ccc_not_in_register', '2020010702999999'));
    // Same listing re-crawled later (new snapshot, same problem): same alert id.
    const again = alertsFor({ kind: 'listing', snapshot: { ...l, fetched_at: '2026-07-01T00:00:00.000Z', snapshot_id: 'c'.repeat(64) } }, detectors, views);
    expect(again.map((x) => x.alert_id)).toEqual([a.alert_id]);
  });

  it('config: unknown detector names and unknown settings are errors naming them; enabled:false turns one off', () => {
    expect(() => detectConfigSchema.parse({ detectors: { certificate_mismatch: {}, no_such_detector: {} } })).toThrow(/no_such_detector/);
    expect(() => detectConfigSchema.parse({ detectors: { recall_match: { minScor: 0.5 } } })).toThrow(/minScor/);
    const cfg = detectConfigSchema.parse({ detectors: { recall_match: { enabled: false } } });
    expect(createDetectors(cfg.detectors, { logger: silentLogger }).map((d) => d.name)).not.toContain('recall_match');
    expect(createDetectors(cfg.detectors, { logger: silentLogger }).map((d) => d.name)).toContain('certificate_mismatch');
  });
});
