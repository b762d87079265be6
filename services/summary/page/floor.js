/* global document, requestAnimationFrame, CSS, Element, EventSource */
// The shop floor: a panel per till, preparer and cook, fed by /api/floor/events. The server sends the
// whole floor on connect, then only the panels that changed, a few times a second; the page redraws
// those panels once per animation frame, so a burst of frames costs one redraw.

const floorEl = document.getElementById('floor');
const emptyEl = document.getElementById('empty');
const liveEl = document.getElementById('live');

/** Panel id → its latest view and its element. */
const panels = new Map();
let order = [];
const dirty = new Set();
let orderChanged = false;
let scheduled = false;
/** The order whose journey is highlighted, or null. */
let selected = null;

function figures(view) {
  const parts = [`${view.rate}/min`];
  if (view.lag !== undefined) parts.push(`lag ${view.lag}`);
  if (view.partitions !== undefined) parts.push(`partitions ${view.partitions.join(', ') || '—'}`);
  return parts.join(' · ');
}

function panelElement(view) {
  const section = document.createElement('section');
  section.className = 'panel';
  section.dataset.kind = view.kind;
  section.dataset.panel = view.id;
  section.dataset.testid = 'panel';
  const title = document.createElement('h2');
  title.dataset.testid = 'panel-title';
  const figs = document.createElement('div');
  figs.className = 'figures';
  figs.dataset.testid = 'panel-figures';
  const lines = document.createElement('ul');
  lines.className = 'lines';
  section.append(title, figs, lines);
  return section;
}

function draw(entry) {
  const { view, el } = entry;
  const [title, figs, list] = el.children;
  title.textContent = view.title;
  title.title = view.title;
  figs.textContent = figures(view);
  if (view.lag !== undefined) el.dataset.lag = String(view.lag);
  el.dataset.rate = String(view.rate);
  // Lines are keyed by id: one already drawn keeps its element and is touched only if it changed, so a
  // frame costs DOM work for the new and changed lines, not for all forty.
  const drawn = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const items = view.lines.map((line) => {
    const id = String(line.id);
    let li = drawn.get(id);
    if (!li) {
      li = document.createElement('li');
      li.dataset.id = id;
    }
    // Ids restart with the summary, so a kept element may now stand for another order.
    if (line.order === undefined) delete li.dataset.order;
    else if (li.dataset.order !== line.order) li.dataset.order = line.order;
    if (li.textContent !== line.text) {
      li.textContent = line.text;
      li.title = line.text;
    }
    if (li.dataset.state !== line.state) li.dataset.state = line.state;
    li.classList.toggle('journey', line.order !== undefined && line.order === selected);
    return li;
  });
  // replaceChildren moves kept elements rather than recreating them.
  if (items.length !== list.children.length || items.some((li, i) => list.children[i] !== li)) {
    list.replaceChildren(...items);
  }
}

function render() {
  scheduled = false;
  for (const id of dirty) {
    const entry = panels.get(id);
    if (entry) draw(entry);
  }
  dirty.clear();
  if (orderChanged) {
    orderChanged = false;
    floorEl.replaceChildren(...order.map((id) => panels.get(id)?.el).filter(Boolean));
    if (order.length === 0) floorEl.append(emptyEl);
  }
}

function apply(frame) {
  for (const view of frame.changed) {
    let entry = panels.get(view.id);
    if (!entry) {
      entry = { view, el: panelElement(view) };
      panels.set(view.id, entry);
    }
    entry.view = view;
    dirty.add(view.id);
  }
  if (frame.order.join('\n') !== order.join('\n')) {
    order = frame.order;
    orderChanged = true;
    const present = new Set(order);
    for (const id of panels.keys()) if (!present.has(id)) panels.delete(id);
  }
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(render);
  }
}

function highlight(orderId) {
  selected = selected === orderId ? null : orderId;
  for (const li of floorEl.querySelectorAll('li.journey')) li.classList.remove('journey');
  if (selected === null) return;
  for (const li of floorEl.querySelectorAll(`li[data-order="${CSS.escape(selected)}"]`)) {
    li.classList.add('journey');
  }
}

floorEl.addEventListener('click', (event) => {
  const li = event.target instanceof Element ? event.target.closest('li[data-order]') : null;
  if (li) highlight(li.dataset.order);
});

function setLive(state, text) {
  liveEl.dataset.state = state;
  liveEl.textContent = text;
}

const events = new EventSource('/api/floor/events');
events.addEventListener('open', () => setLive('live', 'live'));
events.addEventListener('error', () => setLive('down', 'reconnecting…'));
events.addEventListener('message', (event) => {
  // A new stream starts with the whole floor: forget what the last one said.
  const frame = JSON.parse(event.data);
  apply(frame);
});
