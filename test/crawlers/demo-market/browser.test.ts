// The client-rendered platforms in a real browser (Debian's chromium through Playwright): the spa_mall shell
// renders the API's product; a livebuy room page shows the product card, transcript and viewers changing.
import { chromium, type Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoMarket, type DemoMarket } from '../../../crawlers/demo-market/server.ts';

let browser: Browser;
let market: DemoMarket;
beforeAll(async () => {
  market = await startDemoMarket({ listings: 100, seed: 21, bucketMs: 500 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await market?.close();
});

describe('in the browser', () => {
  it('spa_mall item pages render the API product into the DOM', async () => {
    const page = await browser.newPage();
    try {
      for (const i of [2, 6, 10]) {
        const truth = market.groundTruth(i) as { url: string; title: string; price_text: string; seller: { credit_code: string }; ccc_numbers: string[] };
        await page.goto(truth.url);
        await page.waitForSelector('#app[data-ready="1"]', { timeout: 10_000 });
        expect(await page.textContent('h1.item-title')).toBe(truth.title);
        expect(await page.textContent('.price')).toBe(truth.price_text);
        expect(await page.textContent('.credit-code')).toBe(truth.seller.credit_code);
        expect(await page.$$eval('tr.ccc td', (tds) => tds.map((td) => td.textContent))).toEqual(truth.ccc_numbers);
        expect(await page.title()).toBe(`${truth.title} - SPA Mall`);
      }
    } finally {
      await page.close();
    }
  }, 60_000);

  it('a livebuy room page changes over time: card, transcript, viewers', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(market.roomUrl(1));
      await page.waitForSelector('#room[data-ready="1"]', { timeout: 10_000 });
      const sample = () =>
        page.evaluate(() => ({
          listing: document.getElementById('card')?.getAttribute('data-listing-id'),
          viewers: document.getElementById('viewers')?.textContent,
          lines: document.querySelectorAll('#transcript li').length,
        }));
      const samples = [await sample()];
      for (let k = 0; k < 4; k++) {
        await page.waitForTimeout(1100);
        samples.push(await sample());
      }
      const truth = market.roomTruth(1) as { cards: { listing_id: string }[] };
      for (const s of samples) expect(truth.cards.map((c) => c.listing_id)).toContain(s.listing);
      expect(new Set(samples.map((s) => s.listing)).size).toBeGreaterThanOrEqual(2);
      expect(new Set(samples.map((s) => s.viewers)).size).toBeGreaterThanOrEqual(2);
      expect(samples.at(-1)!.lines).toBeGreaterThan(samples[0]!.lines);
    } finally {
      await page.close();
    }
  }, 60_000);
});
