// The four views. Each returns after every chart is drawn; names are shown with text nodes only (see dom.js).
import { get } from './api.js';
import * as chart from './chart.js';
import { el, link, table } from './dom.js';
import * as fmt from './format.js';

const num = label => ({ label, num: true });

// Two charts (CPU, memory) of one series; resolves when both are drawn.
async function charts(ctx, title, params, parent) {
  const s = await get('/api/series', { range: ctx.range, ...params });
  drawCharts(ctx, title, params, s, s.points, parent);
  return s;
}

// What a chart of the series `params` draws (the note above it): a process view shows one process, not a sum.
export function drawn(params) {
  const where = params.node ? 'on this node' : 'on all nodes';
  switch (params.scope) {
    case 'cluster': return 'sum of the nodes\' totals from /proc/stat and meminfo';
    case 'node': return 'the node\'s totals from /proc/stat and meminfo';
    case 'user': return `sum of the user's processes ${where}`;
    case 'command': return `sum of the command's processes ${where}`;
    case 'process': return String(params.process).startsWith('(other):')
      ? 'sum of the user\'s processes not stored one by one (their (other) row)'
      : 'this process alone';
    default: return '';
  }
}

// Draws the CPU and memory charts of `points`, which belong to the answer `s` (its resolution, step and range);
// `params` are the series' own parameters (what the grid's data-series says and what a clicked point filters by).
function drawCharts(ctx, title, params, s, points, parent) {
  const basis = drawn(params);
  // One time axis for every chart of the answer (the per-node charts of the user view too), from its total series.
  const [from, to] = chart.xRange(s.points, s.from, s.to, s.stepSeconds);
  const since = from > s.from ? `; no data before ${fmt.time(s.points[0].t)}` : '';
  const res = `${s.resolution} (${s.stepSeconds} s per point, ${basis})${since}`;
  const grid = el('div', { class: 'charts', 'data-series': JSON.stringify(params), 'data-rows': points.length });
  parent.appendChild(el('h2', null, title));
  parent.appendChild(grid);
  // Two charts side by side in the view's width (20 px page padding, 16 px gap, 10 px box padding, 1 px borders).
  const width = Math.floor((document.getElementById('view').clientWidth - 40 - 16) / 2) - 22;
  for (const metric of ['cpu', 'mem']) {
    const box = el('div', { class: 'chart' },
      el('h3', null, metric === 'cpu' ? 'CPU — average line, max band (% of one core)' : 'Memory (RSS or used) — average line, max band'),
      el('div', { class: 'note' }, res));
    grid.appendChild(box);
    chart.draw(box, { metric, width, points, from, to, onPick: p => ctx.pick(p, s, params) });
  }
}

// A user's memory % sums the RSS of their processes, and RSS counts shared pages (libraries, shared memory) in every
// process that maps them, as ps and top do: the sum can pass 100 % of the node's RAM without the RAM being full.
export const SHARED_PAGES = 'Sum of the RSS of the user\'s processes ÷ the node\'s RAM. Pages shared between processes ' +
  '(libraries, shared memory) count once per process, as ps and top count them, so the sum can exceed 100 %.';

function memPctCell(v) {
  return v > 100 ? el('span', { class: 'over', title: SHARED_PAGES }, `${fmt.pct(v)} *`) : fmt.pct(v);
}

function userRows(items) {
  return items.map(u => [link(u.user, 'user', u.user), u.node, fmt.cpu(u.cpuPct), fmt.mem(u.rssBytes), memPctCell(u.memPct)]);
}

function procRows(items) {
  return items.map(p => [link(p.command, 'command', p.command), link(p.user, 'user', p.user), p.node,
    link(p.pid ? String(p.pid) : p.key, 'process', p.node, p.key), fmt.cpu(p.cpuPct), fmt.mem(p.rssBytes)]);
}

export const userHeaders = [{ label: 'user' }, { label: 'nodes' }, num('CPU'), num('RSS'), { label: 'mem % *', num: true, title: SHARED_PAGES }];

// The legend under every table of users.
export function sharedPagesNote() {
  return el('p', { class: 'note shared-pages' }, `* mem %: ${SHARED_PAGES}`);
}
export const procHeaders = [{ label: 'command' }, { label: 'user' }, { label: 'node' }, { label: 'pid' }, num('CPU'), num('RSS')];

export function topTables(users, procs) {
  return [userRows(users), procRows(procs)];
}

async function nowTables(parent, filter, title) {
  const [u, p] = await Promise.all([
    get('/api/top', { kind: 'user', top: 10, ...filter }),
    get('/api/top', { kind: 'process', top: 15, ...filter }),
  ]);
  const when = u.source === 'live' ? 'now' : `latest stored window${u.from ? ' ' + fmt.dateTime(u.from) : ''}`;
  parent.appendChild(el('div', { class: 'cols' },
    el('div', null, el('h2', null, `${title || 'Top users'} (${when})`), table(userHeaders, userRows(u.items)), sharedPagesNote()),
    el('div', null, el('h2', null, `Top processes (${when})`), table(procHeaders, procRows(p.items)))));
}

export async function cluster(ctx, main) {
  const n = await get('/api/nodes');
  main.appendChild(el('h1', null, 'Cluster'));
  // A node whose newest sample is over 2 minutes old is not "up" now, whatever its last stored state said (e.g.
  // `serve` of a database no watcher writes any more): shown as stale, with the state it had.
  const stale = x => x.lastSample == null || n.now - x.lastSample > 120;
  const rows = n.nodes.map(x => [link(x.name, 'node', x.name),
    el('span', { class: `status ${stale(x) && x.status === 'up' ? 'stale' : x.status}` }, stale(x) && x.status === 'up' ? 'stale (was up)' : x.status),
    `${fmt.dateTime(x.lastSample)} (${fmt.ago(x.lastSample, n.now)})`, fmt.cpu(x.cpuPct), fmt.mem(x.memUsedBytes), x.lastError || '']);
  main.appendChild(table([{ label: 'node' }, { label: 'status' }, { label: 'last sample' }, num('CPU (last sample)'), num('memory used'), { label: 'last error' }], rows, 'no nodes yet'));
  await charts(ctx, 'Whole cluster', { scope: 'cluster' }, main);
  await nowTables(main, {});
}

export async function node(ctx, main, name) {
  main.appendChild(el('h1', null, 'Node ', el('q', null, name)));
  await charts(ctx, 'CPU and memory', { scope: 'node', node: name }, main);
  await nowTables(main, { node: name }, 'Its users');
}

export async function user(ctx, main, name) {
  main.appendChild(el('h1', null, 'User ', el('q', null, name)));
  // Two requests in parallel: the series split by node (the total and the 8 nodes with the most CPU over the range,
  // from one query) and the processes now.
  const [s, procs] = await Promise.all([
    get('/api/series', { range: ctx.range, scope: 'user', user: name, by: 'node', top: 8 }),
    get('/api/top', { kind: 'process', user: name, top: 25 }),
  ]);
  drawCharts(ctx, 'All nodes', { scope: 'user', user: name }, s, s.points, main);
  if (s.nodeCount > s.nodes.length) {
    main.appendChild(el('p', { class: 'note' }, `Per node: the ${s.nodes.length} of ${s.nodeCount} nodes where the user used the most CPU in this range.`));
  }
  for (const n of s.nodes) drawCharts(ctx, `On ${n.node}`, { scope: 'user', user: name, node: n.node }, s, n.points, main);
  main.appendChild(el('h2', null, 'Their processes'));
  main.appendChild(table(procHeaders, procRows(procs.items)));
}

export async function command(ctx, main, name) {
  main.appendChild(el('h1', null, 'Command ', el('q', null, name)));
  await charts(ctx, 'All nodes', { scope: 'command', command: name }, main);
  const procs = await get('/api/top', { kind: 'process', command: name, top: 25 });
  main.appendChild(el('h2', null, 'Its processes'));
  main.appendChild(table(procHeaders, procRows(procs.items)));
}

// Title: the command and user the series answer names (as stored in the range), then the key and node, all as text.
export async function process(ctx, main, nodeName, key) {
  const params = { scope: 'process', node: nodeName, process: key };
  const s = await get('/api/series', { range: ctx.range, ...params });
  const who = s.process;
  const pid = key.startsWith('(other):') ? 'the user\'s other processes' : `pid ${key.split(':')[0]}`;
  main.appendChild(who
    ? el('h1', null, 'Process ', el('q', { class: 'command' }, link(who.command, 'command', who.command)),
      ' of user ', el('q', { class: 'user' }, link(who.user, 'user', who.user)),
      el('span', { class: 'sub' }, ` · ${pid} on `, el('q', { class: 'node' }, nodeName)))
    : el('h1', null, 'Process ', el('q', null, key), ' on ', el('q', { class: 'node' }, nodeName)));
  if (who) document.title = `${who.command} (${who.user}) on ${nodeName} — ClusterWatch`; // a property: stays text
  else main.appendChild(el('p', { class: 'note' }, 'No rows of this process in this range: its command and user are unknown here.'));
  drawCharts(ctx, 'CPU and memory', params, s, s.points, main);
}
