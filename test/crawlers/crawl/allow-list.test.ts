import { describe, expect, it } from 'vitest';
import { hostAllowed } from '../../../crawlers/crawl/allow-list.ts';

describe('hostAllowed', () => {
  it.each([
    ['http://127.0.0.1:8080/a', ['127.0.0.1'], true],
    ['http://127.0.0.1:8080/a', ['127.0.0.1:8080'], true],
    ['http://127.0.0.1:8081/a', ['127.0.0.1:8080'], false],
    ['http://localhost:8080/a', ['127.0.0.1'], false],
    ['https://shop.example.com/x', ['*.example.com'], true],
    ['https://example.com/x', ['*.example.com'], true],
    ['https://evilexample.com/x', ['*.example.com'], false],
    ['https://example.com.evil.net/x', ['example.com'], false],
    ['https://EXAMPLE.com/x', ['example.com'], true],
    ['https://example.com/x', ['example.com:443'], true],
    ['http://example.com/x', ['example.com:443'], false],
    ['http://[::1]:9000/x', ['[::1]'], true],
    ['javascript:alert(1)', ['example.com'], false],
    ['file:///etc/passwd', ['example.com'], false],
    ['not a url', ['example.com'], false],
    ['http://user@127.0.0.1/', [], false],
  ])('%s with %j -> %s', (url, patterns, allowed) => {
    expect(hostAllowed(url, patterns)).toBe(allowed);
  });
});
