/* global document, window, EventSource, setInterval, setTimeout */
// The live page: one EventSource on /api/events; every event is the whole summary (the same JSON as
// /api/summary), so rendering is a pure function of the latest event and a missed event costs nothing.
// Text goes in with textContent only: till names and items come from the database.

const $ = (id) => document.getElementById(id);
const items = ['cod', 'chips', 'plaice'];
const timeOf = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '—');

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    // Through the CSSOM: the Content-Security-Policy refuses style attributes.
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/** Sets a figure; a change makes it flash so a watcher sees what moved. */
function setNumber(id, value) {
  const node = $(id);
  const text = value === null || value === undefined ? '—' : String(value);
  if (node.dataset.value !== String(value ?? '')) {
    if (node.dataset.value !== '') {
      node.classList.remove('bump');
      void node.offsetWidth; // restarts the animation
      node.classList.add('bump');
    }
    node.dataset.value = String(value ?? '');
  }
  node.textContent = text;
}

/** A part's health on its cards: a badge saying stale / unavailable, with the reason as a tooltip. */
function showPart(name, part) {
  for (const card of document.querySelectorAll(`[data-part="${name}"]`)) {
    card.dataset.state = part.status;
    const badge = card.querySelector('[data-badge]');
    badge.textContent =
      part.status === 'stale'
        ? `stale since ${timeOf(part.staleSince)}`
        : part.status === 'unavailable'
          ? 'unavailable'
          : part.status === 'starting'
            ? 'reading…'
            : '';
    badge.title = part.error ?? '';
    const reason = card.querySelector('[data-reason]');
    if (reason) {
      reason.hidden = !part.error;
      reason.textContent = part.error ?? '';
    }
  }
}

function renderTotals(part) {
  showPart('totals', part);
  const banner = $('totals-status');
  banner.dataset.state = part.status;
  if (part.status === 'stale' || part.status === 'unavailable') {
    banner.hidden = false;
    banner.textContent =
      part.status === 'stale'
        ? `PostgreSQL: showing the figures read at ${timeOf(part.readAt)} — stale since ${timeOf(part.staleSince)}: ${part.error}`
        : `PostgreSQL unavailable: ${part.error}`;
  } else banner.hidden = true;

  const totals = part.data;
  setNumber('total-orders', totals?.orders);
  for (const item of items) setNumber(`portions-${item}`, totals?.portions[item]);
  $('menu-items').replaceChildren(
    ...Object.entries(totals?.items ?? {}).map(([name, n]) =>
      el(
        'li',
        { 'data-testid': 'menu-item', 'data-item': name },
        el('span', { class: `item ${name.split(' ')[0]}` }, name),
        el('span', { class: 'num' }, String(n)),
      ),
    ),
  );

  const tills = totals?.tills ?? [];
  const most = Math.max(1, ...tills.map((t) => t.orders));
  $('tills').replaceChildren(
    ...tills.map((t) =>
      el(
        'li',
        { 'data-testid': 'till', 'data-till': t.till },
        el('span', { class: 'name', title: t.till }, t.till),
        el(
          'span',
          { class: 'bar' },
          el('span', { class: 'fill', style: `width: ${(100 * t.orders) / most}%` }),
        ),
        el(
          'span',
          { class: 'num', 'data-testid': 'till-orders', 'data-till': t.till, 'data-value': String(t.orders) },
          String(t.orders),
        ),
      ),
    ),
  );
  $('tills-empty').hidden = tills.length > 0;
  const more = totals?.otherTills ?? 0;
  $('tills-more').hidden = more === 0;
  $('tills-more').textContent = `and ${more} more till${more === 1 ? '' : 's'}`;

  $('last-orders').replaceChildren(
    ...(totals?.lastOrders ?? []).map((o) =>
      el(
        'tr',
        { 'data-testid': 'last-order', 'data-order-id': o.order_id },
        el('td', { class: 'time', title: o.order_time }, timeOf(o.order_time)),
        el('td', {}, o.till),
        el('td', { class: 'num' }, String(o.count)),
        el('td', {}, ...o.items.map((item) => el('span', { class: `item ${item.split(' ')[0]}` }, item))),
      ),
    ),
  );
}

function renderCabinet(part) {
  showPart('cabinet', part);
  const levels = part.data;
  // Scaled to the cook's default targets (10 cod, 20 chips), or to what is there if more.
  const scale = Math.max(20, ...items.map((i) => levels?.[i] ?? 0));
  for (const item of items) {
    setNumber(`cabinet-${item}`, levels?.[item]);
    $(`fill-${item}`).style.height = `${(100 * (levels?.[item] ?? 0)) / scale}%`;
  }
}

function renderPreparers(part) {
  showPart('preparers', part);
  const p = part.data;
  $('group-name').textContent = p ? p.group : '';
  $('group-state').textContent = p ? p.state : '';
  $('group-state').dataset.state = p?.state ?? '';
  setNumber('orders-ready', p?.ordersReady);
  setNumber('waiting-preparer', p?.waiting.preparer);
  setNumber('waiting-cook', p?.waiting.cook);
  const members = p?.members ?? [];
  $('members').replaceChildren(
    ...(members.length === 0 && p
      ? [el('li', { class: 'empty' }, 'No preparer in the group right now.')]
      : members.map((m) =>
          el(
            'li',
            { 'data-testid': 'preparer' },
            el('span', { class: 'who' }, m.label),
            el(
              'span',
              { class: 'parts' },
              ...(m.partitions.length
                ? m.partitions.map((n) => el('span', { class: 'pill' }, `p${n}`))
                : [el('span', { class: 'idle' }, 'idle: no partition')]),
            ),
          ),
        )),
  );
  const rows = p?.partitions ?? [];
  const most = Math.max(1, ...rows.map((r) => r.lag));
  $('lag-rows').replaceChildren(
    ...rows.map((r) =>
      el(
        'tr',
        { 'data-testid': 'lag-partition', 'data-partition': String(r.partition), 'data-lag': String(r.lag) },
        el('td', {}, `p${r.partition}`),
        el('td', { class: r.member ? '' : 'idle' }, r.member ?? 'nobody'),
        el('td', { class: 'num' }, r.committed === null ? '—' : String(r.committed)),
        el('td', { class: 'num' }, String(r.end)),
        el('td', { class: 'num strong' }, String(r.lag)),
        el(
          'td',
          { class: 'barcol' },
          el(
            'span',
            { class: 'bar' },
            el('span', {
              class: `fill${r.lag > 0 ? ' warn' : ''}`,
              style: `width: ${(100 * r.lag) / most}%`,
            }),
          ),
        ),
      ),
    ),
  );
}

let intervalSeconds = 5;
function render(summary) {
  intervalSeconds = summary.intervalSeconds;
  $('interval').textContent = String(summary.intervalSeconds);
  const updated = $('last-updated');
  updated.dateTime = summary.updatedAt;
  updated.textContent = timeOf(summary.updatedAt);
  renderTotals(summary.totals);
  renderCabinet(summary.cabinet);
  renderPreparers(summary.preparers);
  renderLatency(summary.latency);
}

const seconds = (s) => (s < 10 ? s.toFixed(1) : s.toFixed(0));

function renderLatency(part) {
  const stats = part.data;
  const node = $('latency');
  const text = stats?.p50 == null ? '—' : `${seconds(stats.p50)} / ${seconds(stats.p95)} s`;
  node.dataset.value = stats?.p50 == null ? '' : String(stats.p50);
  node.dataset.p95 = stats?.p95 == null ? '' : String(stats.p95);
  node.textContent = text;
}

function setLive(state, text) {
  $('live').dataset.state = state;
  $('live-text').textContent = text;
}

// "live" means events keep coming: the summary sends one every interval, so silence for three intervals
// means something is wrong even if the connection looks open.
let lastEvent = 0;
setInterval(() => {
  if (lastEvent && Date.now() - lastEvent > Math.max(15, 3 * intervalSeconds) * 1000) {
    setLive('quiet', 'no news');
  }
}, 1000);

function onSummary(json) {
  lastEvent = Date.now();
  setLive('live', 'live');
  render(JSON.parse(json));
}

if ('EventSource' in window) {
  const events = new EventSource('/api/events');
  events.onmessage = (event) => onSummary(event.data);
  // EventSource reconnects by itself (after the server's `retry:`); say so meanwhile.
  events.onerror = () => setLive('down', 'reconnecting…');
} else {
  const refresh = () =>
    fetch('/api/summary')
      .then((res) => res.text())
      .then(onSummary)
      .catch(() => setLive('down', 'reconnecting…'))
      .finally(() => setTimeout(refresh, intervalSeconds * 1000));
  refresh();
}
