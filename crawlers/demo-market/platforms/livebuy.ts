// `livebuy`: live-commerce rooms. The room page is server-rendered only for what does not change (room
// title, host, seller); the product card, the host's words (a scrolling transcript) and the viewer count are
// rendered in the browser from /live/api/room/<id>, which the page polls every second. The API's state is
// a function of (seed, room, time bucket), see rooms.ts.
// In: a Room / RoomState. Out: HTML shell and the API JSON object.
import { escapeHtml } from '../text.ts';
import type { Room, RoomState } from '../rooms.ts';
import { page, pager, type PageContext } from './layout.ts';

export const LIVE_PAGE_SIZE = 100;

const POLL = `
var root = document.getElementById('room'); var seen = {};
function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; }
function render(s) {
  root.setAttribute('data-bucket', s.bucket);
  document.getElementById('viewers').textContent = String(s.viewer_count);
  var c = s.card, card = document.getElementById('card'); card.textContent = '';
  card.setAttribute('data-listing-id', c.listing_id); card.setAttribute('data-platform', c.platform);
  var a = el('a', 'card-title', c.title); a.href = c.url; card.appendChild(a);
  card.appendChild(el('span', 'card-brand', c.brand)); card.appendChild(el('span', 'card-model', c.model));
  var p = el('span', 'card-price', c.price); p.setAttribute('data-currency', c.currency); card.appendChild(p);
  card.appendChild(el('span', 'card-claim', c.claimed_price_text)); card.appendChild(el('span', 'card-discount', c.claimed_discount));
  c.ccc_numbers.forEach(function (n) { card.appendChild(el('span', 'card-ccc', n)); });
  var ul = document.getElementById('transcript');
  s.transcript.forEach(function (line) {
    var key = line.at + '|' + line.text; if (seen[key]) return; seen[key] = 1;
    var li = el('li', 'line', line.text); li.setAttribute('data-at', line.at); ul.appendChild(li);
  });
  while (ul.children.length > 60) ul.removeChild(ul.firstChild);
  ul.scrollTop = ul.scrollHeight;
  root.setAttribute('data-ready', '1');
}
function poll() {
  fetch('/live/api/room/' + encodeURIComponent(root.getAttribute('data-room-id')), { cache: 'no-store' })
    .then(function (r) { return r.json(); }).then(render).catch(function () {})
    .then(function () { setTimeout(poll, 1000); });
}
poll();
`;

export function liveRoomShell(room: Room): string {
  const e = escapeHtml;
  const s = room.seller;
  return page(
    `${room.title} - LiveBuy`,
    `<header class="site"><a href="/live/">LiveBuy 直播购</a></header>
<main id="room" data-room-id="${e(room.room_id)}">
<h1 class="room-title">${e(room.title)}</h1>
<div class="host" data-host-id="${e(room.host.host_id)}">主播：<span class="host-name">${e(room.host.name)}</span> · 观看 <span id="viewers">-</span> 人</div>
<section class="seller-card"><dl>
<dt>店铺编号</dt><dd class="seller-id">${e(s.seller_id)}</dd>
<dt>企业名称</dt><dd class="seller-name">${e(s.name)}</dd>
<dt>统一社会信用代码</dt><dd class="credit-code">${e(s.credit_code)}</dd>
<dt>行政区划代码</dt><dd class="region-code">${e(s.region_code)}</dd>
<dt>注册地址</dt><dd class="seller-address">${e(s.address)}</dd>
</dl></section>
<section id="card" class="product-card"></section>
<ul id="transcript" class="transcript" style="height:240px;overflow-y:auto"></ul>
</main>
<script>${POLL}</script>`,
  );
}

export function liveRoomJson(room: Room, s: RoomState): Record<string, unknown> {
  const c = s.card;
  return {
    room_id: room.room_id,
    at: new Date(s.t).toISOString(),
    bucket: s.bucket,
    bucket_ms: s.bucket_ms,
    host: room.host,
    viewer_count: s.viewer_count,
    card: {
      listing_id: c.listing_id,
      platform: c.platform,
      url: c.listing_path,
      title: c.title,
      brand: c.brand,
      model: c.model,
      ccc_numbers: c.ccc_numbers,
      price: c.room_price,
      currency: 'CNY',
      claimed_price_text: c.claimed_price_text,
      claimed_discount: c.claimed_discount,
    },
    transcript: s.transcript,
  };
}

export function liveIndex(pageNo: number, ctx: PageContext, roomTitle: (r: number) => string): string | null {
  const pages = Math.max(1, Math.ceil(ctx.rooms / LIVE_PAGE_SIZE));
  if (!Number.isSafeInteger(pageNo) || pageNo < 1 || pageNo > pages) return null;
  const items: string[] = [];
  for (let r = (pageNo - 1) * LIVE_PAGE_SIZE; r < Math.min(ctx.rooms, pageNo * LIVE_PAGE_SIZE); r++) {
    items.push(`<li><a class="room-link" href="/live/room/${8000 + r}">${escapeHtml(roomTitle(r))}</a></li>`);
  }
  return page('LiveBuy 直播购', `<header class="site">LiveBuy 直播购</header>\n<h1>正在直播</h1>\n<ul class="rooms">${items.join('\n')}</ul>\n${pager('/live/?', pageNo, pages)}`);
}
