// Set-apart variant suffixes on model numbers (detectors/model-suffix.ts) and their use by recall_match:
// a listing writing the recalled model with such a suffix, without a GTIN, still matches its recall, and
// the suffix never turns another model into the recalled one.
import { describe, expect, it } from 'vitest';
import { baseOfSuffixedModel, isSuffixedModel } from '../../detectors/model-suffix.ts';
import { recallMatch } from '../../detectors/recall-match.ts';
import { silentLogger } from '../../pipeline/logger.ts';
import { listing, recall, refs } from './support/fixtures.ts';

describe('model suffixes', () => {
  it.each([
    ['GD84-43S-W', 'GD84-43S'],
    ['ABC31-93B/A', 'ABC31-93B'],
    ['FSD50-92BPro', 'FSD50-92B'],
    ['ＦＳＤ５０-９２Ｂ-Ｗ', 'FSD50-92B'],
    ['X100 Pro', 'X100'],
    ['FS40-13CW', null], // a letter run may continue the model
    ['KFR-35GW', null],
    ['KFR-35GW/BP3', null], // digits in the suffix: another model
    ['A1-B', null], // too short a base
    ['Pro', null],
  ])('base of %s is %s', (raw, base) => expect(baseOfSuffixedModel(raw)).toBe(base));

  it.each([
    ['GD84-43S-W', 'GD84-43S', true],
    ['gd84-43s-w', 'GD84-43S', true],
    ['GD84-43SW', 'GD84-43S', false],
    ['GD84-43S-15', 'GD84-43S', false],
    ['GD84-43S', 'GD84-43S', false], // not a suffixed form (same model: compareModels says so)
  ])('%s is %s plus a suffix: %s', (a, b, yes) => expect(isSuffixedModel(a, b)).toBe(yes));
});

describe('recall_match with a suffixed model and no GTIN', () => {
  const run = recallMatch.create(recallMatch.configSchema.parse({}), { logger: silentLogger });
  const view = refs({ recalls: [recall({ recall_id: 'R9', brand: '卓美', product_name: '四件套', models: ['BD93-52A'] })] });
  it.each([
    ['BD93-52A-W', true],
    ['BD93-52APro', true],
    ['BD93-52B-W', false], // the base is another model
    ['BD93-52A-15', false], // a digit suffix is not set apart as a variant
  ])('%s -> match %s', (model, matched) => {
    const f = run({ kind: 'listing', snapshot: listing({ title: `卓美 四件套 ${model} 全棉`, brand: '卓美', model, gtin: null }) }, view);
    expect(f.some((x) => x.evidence_key === 'R9')).toBe(matched);
    if (matched) expect((f[0]!.evidence.observed as Record<string, unknown>).model_without_suffix ?? 'direct').toBeTruthy();
  });
});
