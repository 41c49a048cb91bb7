// Raw page bytes to text: gunzips .gz bodies, finds the charset (Content-Type header, BOM, <meta charset>,
// <meta http-equiv>), decodes with iconv-lite. GBK/GB2312 pages are decoded as GB18030 (their superset).
// In: bytes as fetched or read from a file. Out: { html, charset, charsetSource }. Never throws on bad bytes:
// undecodable sequences become U+FFFD, and a page whose declared charset is wrong is retried as GB18030.
import { gunzipSync } from 'node:zlib';
import iconv from 'iconv-lite';

export interface DecodedPage {
  html: string;
  charset: string;
  charsetSource: 'header' | 'bom' | 'meta' | 'sniffed' | 'default';
}

const ALIASES: Record<string, string> = { gbk: 'gb18030', gb2312: 'gb18030', 'x-gbk': 'gb18030', 'gb_2312-80': 'gb18030', 'iso-8859-1': 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252' };

function canonical(charset: string | null | undefined): string | null {
  if (!charset) return null;
  const c = charset.trim().toLowerCase().replace(/^["']|["']$/g, '');
  const name = ALIASES[c] ?? c;
  return iconv.encodingExists(name) ? name : null;
}

/** True for gzip magic bytes. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The charset named in a Content-Type header value, if any. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  const m = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return m ? m[1]! : null;
}

function charsetFromMeta(head: string): string | null {
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return m ? m[1]! : null;
}

function replacementRatio(text: string): number {
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  return text.length === 0 ? 0 : bad / text.length;
}

/** Decodes page bytes (gzip allowed) to text. `contentType` is the HTTP header when there was one. */
export function decodePage(input: Uint8Array, contentType?: string | null): DecodedPage {
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (isGzip(bytes)) bytes = gunzipSync(bytes);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { html: bytes.subarray(3).toString('utf8'), charset: 'utf-8', charsetSource: 'bom' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { html: iconv.decode(bytes.subarray(2), 'utf-16le'), charset: 'utf-16le', charsetSource: 'bom' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { html: iconv.decode(bytes.subarray(2), 'utf-16be'), charset: 'utf-16be', charsetSource: 'bom' };

  const fromHeader = canonical(charsetFromContentType(contentType));
  const fromMeta = canonical(charsetFromMeta(bytes.subarray(0, 4096).toString('latin1')));
  const declared = fromHeader ?? fromMeta;
  const source = fromHeader ? 'header' : fromMeta ? 'meta' : 'default';
  const charset = declared ?? 'utf-8';
  const html = iconv.decode(bytes, charset);
  // A page that says (or defaults to) UTF-8 but is not: Chinese shops that forgot to update the header.
  if ((charset === 'utf-8' || charset === 'utf8') && replacementRatio(html) > 0.001) {
    const gb = iconv.decode(bytes, 'gb18030');
    if (replacementRatio(gb) < replacementRatio(html)) return { html: gb, charset: 'gb18030', charsetSource: 'sniffed' };
  }
  return { html, charset, charsetSource: source };
}
