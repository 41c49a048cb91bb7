// `spa_mall`: pages render in the browser from a JSON API. The HTML shell carries no product data (a crawler
// without a browser sees an empty #app); its inline script fetches /spa/api/item/<id> and builds the DOM with
// textContent (never innerHTML, so hostile fields stay text).
// In: a Listing or a list page. Out: the shell HTML and the API JSON objects.
import { GROUP_NAMES } from '../catalogue.ts';
import { listingAt, type Listing } from '../listings.ts';
import { escapeHtml } from '../text.ts';
import { page, type PageContext } from './layout.ts';

export const SPA_PAGE_SIZE = 30;

const RENDER_ITEM = `
function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; }
function row(t, k, v, cls) { if (v == null) return; var tr = el('tr', cls); tr.appendChild(el('th', null, k)); tr.appendChild(el('td', null, v)); t.appendChild(tr); }
function render(d) {
  var app = document.getElementById('app'); app.textContent = '';
  document.title = d.title + ' - SPA Mall';
  app.appendChild(el('h1', 'item-title', d.title));
  var p = el('div', 'price-box'); var sp = el('span', 'price', d.price.text); sp.setAttribute('data-amount', d.price.amount); sp.setAttribute('data-currency', d.price.currency); p.appendChild(sp); app.appendChild(p);
  var t = el('table', 'specs');
  row(t, '品牌', d.brand, 'brand'); row(t, '型号', d.model, 'model'); row(t, '商品条码', d.gtin, 'gtin');
  d.certificates.forEach(function (c) { row(t, 'CCC证书编号', c.number, 'ccc'); });
  d.licences.forEach(function (c) { row(t, '生产许可证编号', c.number, 'licence'); });
  row(t, '生产企业', d.producer.name, 'producer-name'); row(t, '生产企业地址', d.producer.address, 'producer-address');
  app.appendChild(t);
  var s = el('dl', 'seller-card');
  [['店铺编号', d.seller.id, 'seller-id'], ['企业名称', d.seller.company, 'seller-name'], ['统一社会信用代码', d.seller.uscc, 'credit-code'], ['行政区划代码', d.seller.region_code, 'region-code'], ['注册地址', d.seller.address, 'seller-address']].forEach(function (x) { s.appendChild(el('dt', null, x[0])); s.appendChild(el('dd', x[2], x[1])); });
  app.appendChild(s);
  app.setAttribute('data-ready', '1');
}
fetch('/spa/api/item/' + encodeURIComponent(document.getElementById('app').getAttribute('data-item-id')))
  .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
  .then(render)
  .catch(function (e) { document.getElementById('app').textContent = '加载失败: ' + e.message; });
`;

const RENDER_LIST = `
fetch('/spa/api/list?page=' + encodeURIComponent(document.getElementById('app').getAttribute('data-page')))
  .then(function (r) { return r.json(); })
  .then(function (d) {
    var app = document.getElementById('app'); app.textContent = '';
    var ul = document.createElement('ul'); ul.className = 'products';
    d.items.forEach(function (it) { var li = document.createElement('li'); var a = document.createElement('a'); a.href = it.url; a.textContent = it.title; li.appendChild(a); ul.appendChild(li); });
    app.appendChild(ul);
    var nav = document.createElement('nav'); nav.className = 'pagination';
    if (d.next) { var n = document.createElement('a'); n.rel = 'next'; n.href = d.next; n.textContent = '下一页'; nav.appendChild(n); }
    app.appendChild(nav); app.setAttribute('data-ready', '1');
  });
`;

export function spaItemShell(l: Listing): string {
  return page('SPA Mall', `<div id="app" data-item-id="${escapeHtml(l.listing_id)}">加载中…</div>\n<noscript>请启用 JavaScript</noscript>\n<script>${RENDER_ITEM}</script>`);
}

export function spaItemJson(l: Listing): Record<string, unknown> {
  return {
    item_id: l.listing_id,
    title: l.title,
    price: { amount: l.price, currency: l.currency, text: l.price_text },
    brand: l.brand,
    model: l.model_display,
    category: { id: l.category, group: l.group, group_name: GROUP_NAMES[l.group].zh },
    gtin: l.gtin,
    certificates: l.ccc_numbers.map((number) => ({ type: 'CCC', number })),
    licences: l.licence_numbers.map((number) => ({ type: 'production_licence', number })),
    seller: { id: l.seller.seller_id, company: l.seller.name, uscc: l.seller.credit_code, region_code: l.seller.region_code, address: l.seller.address },
    producer: l.producer,
  };
}

/** spa_mall listings are the indices 4k+2. */
export const spaCount = (listings: number): number => Math.max(0, Math.floor((listings - 3) / 4) + 1);

export function spaListShell(pageNo: number): string {
  return page('SPA Mall', `<div id="app" data-page="${pageNo}">加载中…</div>\n<script>${RENDER_LIST}</script>`);
}

export function spaListJson(pageNo: number, ctx: PageContext): Record<string, unknown> | null {
  const total = spaCount(ctx.listings);
  const pages = Math.max(1, Math.ceil(total / SPA_PAGE_SIZE));
  if (!Number.isSafeInteger(pageNo) || pageNo < 1 || pageNo > pages) return null;
  const items = [];
  for (let k = (pageNo - 1) * SPA_PAGE_SIZE; k < Math.min(total, pageNo * SPA_PAGE_SIZE); k++) {
    const l = listingAt(ctx.seed, 4 * k + 2, { clean: ctx.clean, problemRate: ctx.problemRate });
    items.push({ item_id: l.listing_id, url: l.path, title: l.title, price: l.price });
  }
  return { page: pageNo, pages, total, items, next: pageNo < pages ? `/spa/list?page=${pageNo + 1}` : null };
}

