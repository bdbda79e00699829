// Hand-written SVG line chart: an average line, a max band above it, and one clickable circle per API row
// (so a test can count that every row was drawn: svg[data-points] and svg .pt; svg[data-from], [data-to] hold the
// time axis). No library, no inline script.
import * as fmt from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const H = 220, L = 62, R = 12, T = 10, B = 26;

function s(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text != null) e.appendChild(document.createTextNode(text));
  return e;
}

// Y axis ticks: "nice" steps covering 0..max.
function ticks(max, count) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(x => x >= raw);
  const out = [];
  for (let v = 0; v <= max + step * 0.001; v += step) out.push(v);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

// Splits the points where the step to the next one is over 2.5 times the usual (median) step: a gap in the data.
export function runs(points) {
  if (points.length < 3) return [points];
  const steps = points.slice(1).map((p, i) => p.t - points[i].t).sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)];
  const out = [[points[0]]];
  for (let i = 1; i < points.length; i++) {
    if (points[i].t - points[i - 1].t > 2.5 * usual) out.push([]);
    out[out.length - 1].push(points[i]);
  }
  return out;
}

// The time axis [from, to]: the range asked for, but starting at the first point when the data begin later (a watcher
// started a few minutes ago, a process started within the range) — so a new run's first points fill the chart instead
// of its last few pixels, at every range. The shortest axis is minSpan(step): a minute, or 3 points' worth of the
// range's point interval, so a first point or two are not stretched over the whole width. Only the start moves: the
// end stays "now", so data that stopped show as stopped.
export function xRange(points, from, to, step) {
  if (points.length === 0) return [from, to];
  const span = Math.min(to - from, minSpan(step));
  return [Math.max(from, Math.min(points[0].t, to - span)), to];
}

// The shortest time axis for points `step` seconds apart: 15 min and 1 h (2 s, 5 s) → 60 s; 6 h (30 s) → 90 s;
// 24 h (120 s) → 6 min; 7 d (900 s) → 45 min; 30 d (3600 s) → 3 h.
export function minSpan(step) {
  return Math.max(60, 3 * (step || 1));
}

function memTicks(maxBytes) {
  // Memory ticks in MiB or GiB units, so labels are round numbers.
  const unit = maxBytes >= 1024 ** 3 ? 1024 ** 3 : 1048576;
  return ticks(maxBytes / unit, 4).map(v => v * unit);
}

/**
 * Draws a chart into `box`.
 * opts: { metric: 'cpu' | 'mem', points, from, to (the time axis, see xRange), width (px; the box may not be in the page yet), onPick(point) }
 */
export function draw(box, opts) {
  const { points, metric } = opts;
  const W = Math.max(320, Math.round(opts.width || box.clientWidth || 560));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'data-points': points.length, 'data-metric': metric, 'data-from': opts.from, 'data-to': opts.to });
  const avgOf = p => metric === 'cpu' ? p.cpuAvg : p.memAvg;
  const maxOf = p => metric === 'cpu' ? p.cpuMax : p.memMax;
  const top = Math.max(0, ...points.map(maxOf));
  const ys = metric === 'cpu' ? ticks(Math.max(top, 1), 4) : memTicks(Math.max(top, 1048576));
  const yMax = ys[ys.length - 1] || 1;
  const from = opts.from, to = opts.to;
  const x = t => L + (W - L - R) * (t - from) / Math.max(1, to - from);
  const y = v => T + (H - T - B) * (1 - v / yMax);

  for (const v of ys) {
    svg.appendChild(s('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    svg.appendChild(s('text', { x: L - 4, y: y(v) + 3, 'text-anchor': 'end' }, v === 0 ? '0' : metric === 'cpu' ? fmt.cpuShort(v) : fmt.mem(v)));
  }
  svg.appendChild(s('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  svg.appendChild(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  const long = to - from > 86400;
  for (let i = 0; i <= 4; i++) {
    const t = from + (to - from) * i / 4;
    svg.appendChild(s('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, fmt.time(Math.round(t), long)));
  }

  // A run of one point (a new run's only point at 24 h or beyond, a point between two gaps) has no line: its circle is
  // shown (class lone) instead of being only a click target, so a chart with data never looks empty.
  const lone = new Set();
  if (points.length > 0) {
    // The band from the average up to the maximum, then the average line on top of it — one piece per run of
    // points, so a time with no samples (watcher stopped, node down) shows as a break, not as a straight line.
    for (const run of runs(points)) {
      if (run.length === 1) lone.add(run[0]);
      const upper = run.map(p => `${x(p.t).toFixed(1)},${y(maxOf(p)).toFixed(1)}`);
      const lower = run.slice().reverse().map(p => `${x(p.t).toFixed(1)},${y(avgOf(p)).toFixed(1)}`);
      svg.appendChild(s('polygon', { class: 'band', points: upper.concat(lower).join(' ') }));
      svg.appendChild(s('polyline', { class: 'avg', points: run.map(p => `${x(p.t).toFixed(1)},${y(avgOf(p)).toFixed(1)}`).join(' ') }));
    }
  } else {
    svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data in this range'));
  }

  points.forEach((p, i) => {
    const c = s('circle', { class: lone.has(p) ? 'pt lone' : 'pt', cx: x(p.t).toFixed(1), cy: y(avgOf(p)).toFixed(1), r: points.length > 300 ? 2.5 : 3.5, 'data-t': p.t, 'data-i': i });
    const label = metric === 'cpu'
      ? `${fmt.dateTime(p.t)}: avg ${fmt.cpu(p.cpuAvg)}, max ${fmt.cpu(p.cpuMax)}`
      : `${fmt.dateTime(p.t)}: avg ${fmt.mem(p.memAvg)}, max ${fmt.mem(p.memMax)}`;
    c.appendChild(s('title', {}, label + ' — click for that window\'s top users and processes'));
    c.addEventListener('click', () => {
      svg.querySelectorAll('.pt.sel').forEach(e => e.classList.remove('sel'));
      c.classList.add('sel');
      if (opts.onPick) opts.onPick(p);
    });
    svg.appendChild(c);
  });
  box.appendChild(svg);
  return svg;
}
