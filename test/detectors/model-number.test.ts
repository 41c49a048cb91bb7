// modelKey: canonical models come back as they are (fast path), others are normalised; both give the key.
import { describe, expect, it } from 'vitest';
import { modelKey } from '../../detectors/model-number.ts';

describe('modelKey', () => {
  it.each([
    ['M123A', 'M123A'],
    ['', ''],
    ['12345', '12345'],
    ['m123a', 'M123A'],
    ['KFR-35GW/BP3DN8Y', 'KFR35GWBP3DN8Y'],
    ['ＫＦＲ－３５ＧＷ', 'KFR35GW'],
    ['A1 (白色)', 'A1'],
    ['RX12-3', 'RX123'],
    ['KFR-35GW/*', 'KFR35GW*'],
    ['ß1', 'SS1'],
  ])('%j -> %j', (raw, key) => {
    expect(modelKey(raw)).toBe(key);
    expect(modelKey(modelKey(raw))).toBe(key); // a key is its own key
  });
});
