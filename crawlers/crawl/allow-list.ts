// The allow-list check every fetch goes through (first request, each redirect hop, each browser sub-request,
// the final URL). In: a URL and the configured host patterns. Out: allowed or not. Pure.

/** True when the URL is http(s) and its host matches a pattern: 'example.com', '*.example.com', 'host:port'. */
export function hostAllowed(url: string, patterns: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  const hostname = u.hostname.toLowerCase();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  for (const raw of patterns) {
    const p = raw.toLowerCase();
    const m = /^(.*?)(?::(\d+))?$/.exec(p.startsWith('[') ? p.replace(/^(\[[^\]]+\])/, '$1') : p)!;
    let name = m[1]!;
    const pPort = m[2];
    if (p.startsWith('[')) {
      const end = p.indexOf(']');
      name = p.slice(0, end + 1);
    }
    if (pPort !== undefined && pPort !== port) continue;
    if (name.startsWith('*.')) {
      const base = name.slice(2);
      if (hostname === base || hostname.endsWith('.' + base)) return true;
    } else if (hostname === name) {
      return true;
    }
  }
  return false;
}
