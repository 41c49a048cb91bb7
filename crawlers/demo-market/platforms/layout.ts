// Shared page chrome of the demo marketplace's platforms. In: title, body HTML, charset. Out: an HTML document.
import { escapeHtml } from '../text.ts';

export interface PageContext {
  seed: number;
  listings: number;
  rooms: number;
  clean: boolean;
  problemRate: number | undefined;
  bucketMs: number;
}

export function page(title: string, body: string, opts: { charset?: string; lang?: string; head?: string } = {}): string {
  return `<!DOCTYPE html>
<html lang="${opts.lang ?? 'zh-CN'}">
<head>
<meta charset="${opts.charset ?? 'utf-8'}">
<title>${escapeHtml(title)}</title>
${opts.head ?? ''}</head>
<body>
${body}
</body>
</html>
`;
}

export function pager(base: string, page: number, pages: number): string {
  const links: string[] = [];
  if (page > 1) links.push(`<a rel="prev" class="prev" href="${base}page=${page - 1}">上一页</a>`);
  links.push(`<span class="page-info">第 ${page} / ${pages} 页</span>`);
  if (page < pages) links.push(`<a rel="next" class="next" href="${base}page=${page + 1}">下一页</a>`);
  return `<nav class="pagination">${links.join(' ')}</nav>`;
}
