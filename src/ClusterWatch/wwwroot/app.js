// Router, range buttons, auto refresh and the "that window" panel. Routes: #/cluster, #/node/N, #/user/U,
// #/command/C, #/process/N/KEY, each optionally followed by ?range=15m|1h|6h|24h|7d|30d.
import { get } from './api.js';
import { clear, el, table } from './dom.js';
import * as fmt from './format.js';
import * as views from './views.js';

const RANGES = ['15m', '1h', '6h', '24h', '7d', '30d'];
const AUTO_REFRESH = new Set(['15m', '1h']); // short ranges follow the live data
const REFRESH_MS = 10000;
let timer = null;
let generation = 0;

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(p => p.length).map(decodeURIComponent);
  const range = new URLSearchParams(query || '').get('range');
  return { parts: parts.length ? parts : ['cluster'], range: RANGES.includes(range) ? range : '1h' };
}

function setRange(r) {
  const [path] = location.hash.split('?');
  location.hash = `${path || '#/cluster'}?range=${r}`;
}

function drawRanges(current) {
  const box = clear(document.getElementById('ranges'));
  for (const r of RANGES) box.appendChild(el('button', { class: r === current ? 'on' : null, 'data-range': r, on: { click: () => setRange(r) } }, r));
}

// A clicked point: the window it falls in (5 s rows) or the bucket it covers (windows, history).
async function pick(point, series, params) {
  const [from, to] = series.resolution === 'samples' ? [point.t - 1, point.t] : [point.t, point.t + series.stepSeconds];
  const filter = { from, to, node: params.node };
  if (params.scope === 'user') filter.user = params.user;
  if (params.scope === 'command') filter.command = params.command;
  const panel = document.getElementById('detail');
  panel.dataset.state = 'loading';
  const [u, p] = await Promise.all([get('/api/top', { kind: 'user', ...filter }), get('/api/top', { kind: 'process', ...filter })]);
  const [urows, prows] = views.topTables(u.items, p.items);
  const span = u.from != null ? `${fmt.dateTime(u.from)} – ${fmt.time(u.to)}` : `${fmt.dateTime(from)} (no window stored)`;
  document.getElementById('detail-title').textContent = `Window ${span} (local time): what ran`;
  clear(document.getElementById('detail-users')).append(table(views.userHeaders, urows, 'no users in this window'), views.sharedPagesNote());
  clear(document.getElementById('detail-procs')).appendChild(table(views.procHeaders, prows, 'no processes in this window'));
  panel.hidden = false;
  panel.dataset.from = String(u.from ?? from);
  panel.dataset.to = String(u.to ?? to);
  panel.dataset.state = 'ready';
}

async function render(keepDetail) {
  const my = ++generation;
  const started = performance.now();
  const { parts, range } = route();
  drawRanges(range);
  document.body.dataset.state = 'loading';
  document.title = 'ClusterWatch';
  const main = document.getElementById('view');
  const next = el('div');
  const ctx = { range, pick };
  if (!keepDetail) document.getElementById('detail').hidden = true;
  try {
    const [kind, a, b] = parts;
    if (kind === 'node' && a) await views.node(ctx, next, a);
    else if (kind === 'user' && a) await views.user(ctx, next, a);
    else if (kind === 'command' && a) await views.command(ctx, next, a);
    else if (kind === 'process' && a && b) await views.process(ctx, next, a, b);
    else await views.cluster(ctx, next);
  } catch (e) {
    next.appendChild(el('p', { class: 'error' }, String(e.message || e)));
  }
  if (my !== generation) return; // a newer render started meanwhile
  clear(main).appendChild(next);
  const crumbs = clear(document.getElementById('crumbs'));
  crumbs.appendChild(el('a', { href: `#/cluster?range=${range}` }, 'cluster'));
  if (parts[0] !== 'cluster') crumbs.appendChild(el('span', null, `› ${parts[0]} › ${parts.slice(1).join(' / ')}`));
  document.body.dataset.drawMs = String(Math.round(performance.now() - started));
  document.body.dataset.readyMs = String(Math.round(performance.now())); // since navigation start
  document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
  document.body.dataset.state = 'ready';
  clearTimeout(timer);
  document.getElementById('refresh').textContent = AUTO_REFRESH.has(range) ? `refreshes every ${REFRESH_MS / 1000} s` : '';
  if (AUTO_REFRESH.has(range)) timer = setTimeout(() => render(true), REFRESH_MS);
}

document.getElementById('tz').textContent = `Times are in your browser's local time (${fmt.zoneLabel()}).`;
window.addEventListener('hashchange', () => render(false));
render(false);
