// `bigmall`: a large comprehensive platform. Server-rendered listing pages carrying schema.org JSON-LD
// (Product + Offer + seller Organization), category pages with pagination linking the listings.
// In: a Listing (listings.ts) or a category + page. Out: HTML strings.
import { GROUP_NAMES, GROUPS, PRODUCT_TYPES, type GroupId } from '../catalogue.ts';
import { listingIdOf, listingPath, type Listing, listingAt } from '../listings.ts';
import { escapeHtml, scriptJson } from '../text.ts';
import { page, pager, type PageContext } from './layout.ts';

export const BIGMALL_PAGE_SIZE = 20;
const G = GROUPS.length;

/** Listing index of the k-th bigmall listing in group g (two per block of 4*G indices). */
export const bigmallIndexInGroup = (g: number, k: number): number => 4 * (g + G * Math.floor(k / 2)) + (k % 2);

export function bigmallCountInGroup(g: number, listings: number): number {
  let blocks = Math.floor((listings - 4 * g + 4 * G - 1) / (4 * G)); // blocks whose base 4*(g+G*b) < listings
  if (blocks < 0) blocks = 0;
  let n = blocks * 2;
  if (blocks > 0 && 4 * (g + G * (blocks - 1)) + 1 >= listings) n -= 1;
  return Math.max(0, n);
}

function typeName(category: string): string {
  return PRODUCT_TYPES.find((t) => t.id === category)?.zh ?? category;
}

export function bigmallItem(l: Listing, ctx: PageContext): string {
  const seller = l.seller;
  const props = [
    ...l.ccc_numbers.map((n) => ({ '@type': 'PropertyValue', name: 'CCC证书编号', propertyID: 'ccc', value: n })),
    ...l.licence_numbers.map((n) => ({ '@type': 'PropertyValue', name: '生产许可证编号', propertyID: 'production_licence', value: n })),
  ];
  const manufacturer: Record<string, unknown> | undefined =
    l.producer.name === null && l.producer.address === null
      ? undefined
      : {
          '@type': 'Organization',
          ...(l.producer.name !== null ? { name: l.producer.name } : {}),
          ...(l.producer.address !== null ? { address: { '@type': 'PostalAddress', streetAddress: l.producer.address, addressCountry: 'CN' } } : {}),
        };
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: l.title,
    sku: l.listing_id,
    brand: { '@type': 'Brand', name: l.brand },
    model: l.model_display,
    ...(l.gtin ? { gtin13: l.gtin } : {}),
    category: `${GROUP_NAMES[l.group].zh} > ${typeName(l.category)}`,
    ...(manufacturer ? { manufacturer } : {}),
    ...(props.length ? { additionalProperty: props } : {}),
    offers: {
      '@type': 'Offer',
      url: l.path,
      price: l.price.toFixed(2),
      priceCurrency: l.currency,
      availability: 'https://schema.org/InStock',
      seller: {
        '@type': 'Organization',
        name: seller.name,
        identifier: seller.seller_id,
        taxID: seller.credit_code,
        address: { '@type': 'PostalAddress', streetAddress: seller.address, addressCountry: 'CN' },
      },
    },
  };
  // Four more listings of the same group, so a crawler can walk the catalogue from any item page.
  const g = GROUPS.indexOf(l.group);
  const k = 2 * Math.floor((l.index / 4 - g) / G) + (l.index % 4);
  const related: string[] = [];
  for (let d = 1; d <= 4; d++) {
    const j = bigmallIndexInGroup(g, k + d);
    if (j < ctx.listings) related.push(`<li><a href="${listingPath(j)}">${escapeHtml(listingIdOf(j))}</a></li>`);
  }
  const row = (k: string, v: string | null, cls: string): string => (v === null ? '' : `<tr class="${cls}"><th>${k}</th><td>${escapeHtml(v)}</td></tr>`);
  const body = `<header class="site"><a href="/bigmall/">BigMall 大商城</a></header>
<nav class="breadcrumb"><a href="/bigmall/">首页</a> &gt; <a href="/bigmall/category/${l.group}?page=1">${escapeHtml(GROUP_NAMES[l.group].zh)}</a> &gt; <span class="category" data-category="${escapeHtml(l.category)}">${escapeHtml(typeName(l.category))}</span></nav>
<main class="item" data-listing-id="${escapeHtml(l.listing_id)}">
<h1 class="item-title">${escapeHtml(l.title)}</h1>
<div class="price-box"><span class="label">价格</span> <span class="price" data-currency="${l.currency}">${escapeHtml(l.price_text)}</span></div>
<table class="specs">
${row('品牌', l.brand, 'brand')}
${row('型号', l.model_display, 'model')}
${row('商品条码', l.gtin, 'gtin')}
${l.ccc_numbers.map((n) => row('CCC证书编号', n, 'ccc')).join('\n')}
${l.licence_numbers.map((n) => row('生产许可证编号', n, 'licence')).join('\n')}
${row('生产企业', l.producer.name, 'producer-name')}
${row('生产企业地址', l.producer.address, 'producer-address')}
</table>
<section class="seller-card">
<h2>商家信息</h2>
<dl>
<dt>店铺编号</dt><dd class="seller-id">${escapeHtml(seller.seller_id)}</dd>
<dt>企业名称</dt><dd class="seller-name">${escapeHtml(seller.name)}</dd>
<dt>统一社会信用代码</dt><dd class="credit-code">${escapeHtml(seller.credit_code)}</dd>
<dt>行政区划代码</dt><dd class="region-code">${escapeHtml(seller.region_code)}</dd>
<dt>注册地址</dt><dd class="seller-address">${escapeHtml(seller.address)}</dd>
</dl>
</section>
<section class="related"><h2>猜你喜欢</h2><ul>${related.join('')}</ul></section>
</main>`;
  return page(`${l.title} - BigMall`, body, { head: `<script type="application/ld+json">${scriptJson(ld)}</script>\n` });
}

export function bigmallHome(ctx: PageContext): string {
  const items = GROUPS.map((g, gi) => {
    const n = bigmallCountInGroup(gi, ctx.listings);
    return `<li><a href="/bigmall/category/${g}?page=1">${escapeHtml(GROUP_NAMES[g].zh)} ${escapeHtml(GROUP_NAMES[g].en)}</a> <span class="count">(${n})</span></li>`;
  });
  const hot = HOT_SEARCHES.map((q) => `<a class="hot-search" href="/bigmall/search?q=${encodeURIComponent(q)}&page=1">${escapeHtml(q)}</a>`).join(' ');
  return page(
    'BigMall 大商城',
    `<header class="site">BigMall 大商城</header>
<form action="/bigmall/search"><input name="q"><button>搜索</button></form>
<p class="hot">热门搜索：${hot}</p>
<h1>全部分类</h1>
<ul class="categories">${items.join('\n')}</ul>`,
  );
}

/** Category page, or null when the category is unknown or the page is out of range. */
export function bigmallCategory(group: string, pageNo: number, ctx: PageContext): string | null {
  const gi = GROUPS.indexOf(group as GroupId);
  if (gi < 0) return null;
  const total = bigmallCountInGroup(gi, ctx.listings);
  const pages = Math.max(1, Math.ceil(total / BIGMALL_PAGE_SIZE));
  if (!Number.isSafeInteger(pageNo) || pageNo < 1 || pageNo > pages) return null;
  const rows: string[] = [];
  for (let k = (pageNo - 1) * BIGMALL_PAGE_SIZE; k < Math.min(total, pageNo * BIGMALL_PAGE_SIZE); k++) {
    const i = bigmallIndexInGroup(gi, k);
    const l = listingAt(ctx.seed, i, { clean: ctx.clean, problemRate: ctx.problemRate });
    rows.push(`<li class="product"><a class="product-link" href="${l.path}">${escapeHtml(l.title)}</a> <span class="price">${escapeHtml(l.price_text)}</span></li>`);
  }
  const g = group as GroupId;
  return page(
    `${GROUP_NAMES[g].zh} - BigMall`,
    `<header class="site"><a href="/bigmall/">BigMall 大商城</a></header>
<h1>${escapeHtml(GROUP_NAMES[g].zh)} <small>${escapeHtml(GROUP_NAMES[g].en)}</small></h1>
<p class="total">共 ${total} 件商品</p>
<ul class="products">
${rows.join('\n')}
</ul>
${pager(`/bigmall/category/${g}?`, pageNo, pages)}`,
  );
}

/** How many bigmall listings a search looks through (a search never scans the whole 1M catalogue). */
export const SEARCH_SCAN_LIMIT = 20_000;
export const HOT_SEARCHES = ['电风扇', '插线板', '童车', '燃气灶', '灭火器', 'Ange', '保鲜盒'];

/** Search results: listings whose title contains q (NFKC, case-insensitive), among the first SEARCH_SCAN_LIMIT. */
export function bigmallSearch(q: string, pageNo: number, ctx: PageContext): string | null {
  const needle = q.normalize('NFKC').toLowerCase().trim();
  if (!Number.isSafeInteger(pageNo) || pageNo < 1 || pageNo > 1000) return null;
  const want = pageNo * BIGMALL_PAGE_SIZE;
  const hits: string[] = [];
  let more = false;
  if (needle !== '') {
    for (let k = 0, i = 0; k < SEARCH_SCAN_LIMIT && i < ctx.listings; k++, i = 4 * Math.floor(k / 2) + (k % 2)) {
      const l = listingAt(ctx.seed, i, { clean: ctx.clean, problemRate: ctx.problemRate });
      if (!l.title.normalize('NFKC').toLowerCase().includes(needle)) continue;
      if (hits.length === want) {
        more = true;
        break;
      }
      hits.push(`<li class="product"><a class="product-link" href="${l.path}">${escapeHtml(l.title)}</a> <span class="price">${escapeHtml(l.price_text)}</span></li>`);
    }
  }
  const pageHits = hits.slice((pageNo - 1) * BIGMALL_PAGE_SIZE);
  if (pageNo > 1 && pageHits.length === 0) return null;
  const base = `/bigmall/search?q=${encodeURIComponent(q)}&`;
  const nav = [
    pageNo > 1 ? `<a rel="prev" class="prev" href="${base}page=${pageNo - 1}">上一页</a>` : '',
    `<span class="page-info">第 ${pageNo} 页</span>`,
    more ? `<a rel="next" class="next" href="${base}page=${pageNo + 1}">下一页</a>` : '',
  ].join(' ');
  return page(
    `${q} - 搜索 - BigMall`,
    `<header class="site"><a href="/bigmall/">BigMall 大商城</a></header>
<form action="/bigmall/search"><input name="q" value="${escapeHtml(q)}"><button>搜索</button></form>
<h1>“${escapeHtml(q)}” 的搜索结果</h1>
<ul class="products">
${pageHits.join('\n')}
</ul>
<nav class="pagination">${nav}</nav>`,
  );
}
