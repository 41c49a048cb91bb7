// Adapter `livebuy` (demo marketplace: live-commerce rooms). The room page renders the product card, viewer
// count and scrolling transcript in the browser and keeps changing; the crawler samples it on an interval and
// this adapter reads one sample from the rendered DOM (main#room[data-ready]). The room index is a plain
// server-rendered list. In: a page. Out: room samples and links (no listing products).
import { z } from 'zod';
import { extractCccNumbers } from '../normalize/identifiers.ts';
import { normalizeCurrency, parsePrice } from '../normalize/price.ts';
import { cleanModel, normalizeBrand } from '../normalize/product.ts';
import { cleanText } from '../normalize/text.ts';
import { hrefs, textOf, textsOf } from './common.ts';
import type { AdapterDefinition, AdapterPage, PageLinks, RoomSample, SiteAdapter } from './types.ts';

export const configSchema = z.strictObject({});

const ROOM_PATH = /^\/live\/room\/[^/]+$/;

function sampleRoom(page: AdapterPage): RoomSample | null {
  const { $ } = page;
  const room = $('main#room');
  if (room.length === 0 || room.attr('data-ready') !== '1') return null;
  const roomId = room.attr('data-room-id')?.trim();
  if (!roomId) return null;
  const hostEl = $('#room .host');
  const viewers = Number((textOf($, '#viewers') ?? '').replace(/[^\d]/g, ''));
  const card = $('#card');
  let product: RoomSample['product'] = null;
  const title = textOf($, '#card .card-title');
  if (title !== null) {
    const priceEl = $('#card .card-price').first();
    const parsed = parsePrice(cleanText(priceEl.text()), { defaultCurrency: normalizeCurrency(priceEl.attr('data-currency')) });
    product = {
      listing_id: card.attr('data-listing-id')?.trim() || null,
      title,
      price: parsed.price,
      currency: parsed.currency,
      claimed_price_text: textOf($, '#card .card-claim'),
      claimed_discount: textOf($, '#card .card-discount'),
      ccc_numbers: [...new Set(textsOf($, '#card .card-ccc').flatMap((t) => extractCccNumbers(`CCC ${t}`)))],
      brand: normalizeBrand(textOf($, '#card .card-brand')) ?? '',
      model: cleanModel(textOf($, '#card .card-model')),
    };
  }
  const transcript: RoomSample['transcript'] = [];
  $('#transcript li').each((_, li) => {
    const at = $(li).attr('data-at');
    const text = cleanText($(li).text());
    if (at && text) transcript.push({ at, text });
  });
  return {
    room_id: roomId,
    host: { host_id: hostEl.attr('data-host-id')?.trim() || roomId, name: textOf($, '#room .host-name') ?? roomId, seller_id: textOf($, '#room .seller-id') },
    viewer_count: Number.isSafeInteger(viewers) && textOf($, '#viewers') !== '-' ? viewers : null,
    product,
    transcript,
  };
}

function create(): SiteAdapter {
  return {
    name: 'livebuy',
    extract: () => [],
    links(page): PageLinks {
      return { products: hrefs(page.$, 'ul.rooms a.room-link', page.url), lists: hrefs(page.$, 'nav.pagination a[rel=next]', page.url) };
    },
    needsBrowser: (url) => ROOM_PATH.test(new URL(url).pathname),
    isRoom: (url) => ROOM_PATH.test(new URL(url).pathname),
    sampleRoom,
    readySelector: (url) => (ROOM_PATH.test(new URL(url).pathname) ? 'main#room[data-ready="1"]' : null),
  };
}

export const livebuy: AdapterDefinition<typeof configSchema> = {
  name: 'livebuy',
  hosts: ['127.0.0.1', 'localhost'],
  pathPrefix: '/live/',
  configSchema,
  create,
};
