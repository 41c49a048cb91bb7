// `selfshop`: a self-built shop. schema.org microdata (itemprop) inside plain HTML tables, prices and
// certificate numbers written oddly (full-width digits, ranges, 元, thousands separators, spaced and prefixed
// numbers), about a third of the pages in GBK (declared in Content-Type and <meta>).
// In: a Listing or a list page. Out: HTML strings (the server encodes GBK pages).
import { hashKeys } from '../rng.ts';
import { listingAt, type Listing } from '../listings.ts';
import { escapeHtml } from '../text.ts';
import { page, pager, type PageContext } from './layout.ts';

export const SHOP_PAGE_SIZE = 50;

export function selfshopItem(l: Listing, seed: number): string {
  const e = escapeHtml;
  // Some shops put the machine-readable price in a content attribute, most only show the text.
  const priceContent = hashKeys(seed, 'md-price', l.index) % 5 < 2 ? ` content="${l.price.toFixed(2)}"` : '';
  const row = (k: string, v: string | null, prop?: string): string =>
    v === null ? '' : `<tr><td class="k">${k}</td><td${prop ? ` itemprop="${prop}"` : ''}>${e(v)}</td></tr>`;
  const body = `<div class="shop-header"><a href="/shop/">自营小店</a> | <a href="/shop/list?page=1">全部商品</a></div>
<div itemscope itemtype="https://schema.org/Product" id="goods" data-goods-id="${e(l.listing_id)}">
<h1 itemprop="name">${e(l.title)}</h1>
<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
<b>售价：</b><span class="goods-price" itemprop="price"${priceContent}>${e(l.price_text)}</span>
<meta itemprop="priceCurrency" content="${l.currency}">
<link itemprop="availability" href="https://schema.org/InStock">
</div>
<table class="params" border="1">
<caption>商品参数</caption>
<tr><td class="k">品牌</td><td itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">${e(l.brand)}</span></td></tr>
${row('型号', l.model_display, 'model')}
${row('商品条码', l.gtin, 'gtin13')}
${l.ccc_display.map((n) => row('CCC证书编号：', n)).join('\n')}
${l.licence_display.map((n) => row('生产许可证：', n)).join('\n')}
${row('生产厂家', l.producer.name)}
${row('厂家地址', l.producer.address)}
</table>
</div>
<table class="shop-info" border="1">
<caption>店铺信息</caption>
<tr><td class="k">店铺编号</td><td>${e(l.seller.seller_id)}</td></tr>
<tr><td class="k">公司名称</td><td>${e(l.seller.name)}</td></tr>
<tr><td class="k">统一社会信用代码</td><td>${e(l.seller.credit_code)}</td></tr>
<tr><td class="k">所在地区代码</td><td>${e(l.seller.region_code)}</td></tr>
<tr><td class="k">注册地址</td><td>${e(l.seller.address)}</td></tr>
</table>`;
  return page(`${l.title}`, body, { charset: l.charset === 'gbk' ? 'gbk' : 'utf-8' });
}

/** selfshop listings are the indices 4k+3. */
export const shopCount = (listings: number): number => Math.max(0, Math.floor((listings - 4) / 4) + 1);

export function selfshopList(pageNo: number, ctx: PageContext): string | null {
  const total = shopCount(ctx.listings);
  const pages = Math.max(1, Math.ceil(total / SHOP_PAGE_SIZE));
  if (!Number.isSafeInteger(pageNo) || pageNo < 1 || pageNo > pages) return null;
  const rows: string[] = [];
  for (let k = (pageNo - 1) * SHOP_PAGE_SIZE; k < Math.min(total, pageNo * SHOP_PAGE_SIZE); k++) {
    const l = listingAt(ctx.seed, 4 * k + 3, { clean: ctx.clean, problemRate: ctx.problemRate });
    rows.push(`<tr><td><a href="${l.path}">${escapeHtml(l.title)}</a></td><td>${escapeHtml(l.price_text)}</td></tr>`);
  }
  return page('全部商品 - 自营小店', `<table class="goods-list" border="1"><tr><th>商品</th><th>价格</th></tr>\n${rows.join('\n')}\n</table>\n${pager('/shop/list?', pageNo, pages)}`);
}
