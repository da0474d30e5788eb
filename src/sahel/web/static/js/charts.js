// Chart helpers: uPlot time series (lines, a low–high band, stacks, shaded months), grouped
// bars in SVG, and horizontal bars in HTML. Every chart plots exactly the rows it is given.

import {clear, debounce, el, fmt, monthLabel, t} from './common.js';

export const PALETTE = ['#4e79a7', '#e15759', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2',
  '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];

/** "2023-07" -> seconds since 1970 (uPlot's time axis). */
export function monthSeconds(month) {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1) / 1000;
}

function yearSeconds(year) {
  return Date.UTC(Number(year), 0, 1) / 1000;
}

const charts = new Set();
window.addEventListener('resize', debounce(() => {
  for (const chart of charts) {
    if (!chart.root.isConnected) {
      charts.delete(chart);
      continue;
    }
    chart.setSize(size(chart.root.parentNode, chart.height));
  }
}, 150));

function size(container, height) {
  return {width: Math.max(260, Math.floor(container.clientWidth || 600)), height};
}

/** Shade months (e.g. preliminary ones) behind the plot, with a hatch so it prints. */
function shadeHook(spans, colour) {
  return (u) => {
    if (!spans.length) return;
    const {ctx} = u;
    ctx.save();
    ctx.fillStyle = colour;
    for (const [a, b] of spans) {
      const x0 = u.valToPos(a, 'x', true);
      const x1 = u.valToPos(b, 'x', true);
      ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
    }
    ctx.restore();
  };
}

/** Vertical lines at some x values (e.g. the network's date on the alignment chart). */
function linesHook(getLines) {
  return (u) => {
    const {ctx} = u;
    for (const line of getLines()) {
      const x = u.valToPos(line.x, 'x', true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      ctx.save();
      ctx.strokeStyle = line.colour || '#1d2a30';
      ctx.lineWidth = (line.width || 1) * devicePixelRatio;
      ctx.setLineDash((line.dash || []).map((d) => d * devicePixelRatio));
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    }
  };
}

/**
 * A time series chart.
 * opts: {x: 'month'|'year', xs: [...labels], series: [{name, values, colour, raw?, dash?}], onLayout?,
 *        band: {low, high, colour}?, stacked: bool, yLabel, shade: [[from, to]] (labels),
 *        lines: () => [{x: label, colour}], height, yRange: [min, max]?}
 */
export function timeSeries(container, opts) {
  clear(container);
  const toX = opts.x === 'year' ? yearSeconds : monthSeconds;
  const xs = opts.xs.map(toX);
  const data = [xs];
  const series = [{label: opts.x === 'year' ? t('chart.year') : t('chart.month'),
    value: (u, v) => (v === null || v === undefined ? '–' : opts.x === 'year'
      ? String(new Date(v * 1000).getUTCFullYear())
      : monthLabel(new Date(v * 1000).toISOString().slice(0, 7)))}];
  const bands = [];
  const raw = [null];
  if (opts.stacked) {
    const sums = xs.map(() => 0);
    opts.series.forEach((s, i) => {
      const stacked = s.values.map((v, j) => {
        if (v === null || v === undefined) return null;
        sums[j] += v;
        return sums[j];
      });
      data.push(stacked);
      raw.push(s.values);
      series.push({label: s.name, stroke: s.colour, width: 1, fill: s.colour + 'cc',
        value: (u, v, si, idx) => (idx === null || idx === undefined ? '–' : fmt(raw[si][idx]))});
      if (i > 0) bands.push({series: [i + 1, i], fill: s.colour + 'cc'});
    });
    // uPlot fills each series down to zero; draw the stack from the top so each band shows
    series.slice(1).forEach((s, i) => { if (i > 0) s.fill = undefined; });
  } else {
    for (const s of opts.series) {
      data.push(s.values);
      raw.push(s.values);
      series.push({label: s.name, stroke: s.colour, width: s.width || 2, dash: s.dash,
        points: {show: opts.xs.length < 60},
        spanGaps: false,
        value: (u, v) => (v === null || v === undefined ? '–' : fmt(v, s.digits || 0))});
    }
    if (opts.band) {
      const best = 1;
      data.push(opts.band.high, opts.band.low);
      const hi = data.length - 2;
      const lo = data.length - 1;
      series.push({label: t('chart.high'), stroke: opts.band.colour, width: 0.5, alpha: 0.6,
        value: (u, v) => (v === null || v === undefined ? '–' : fmt(v))});
      series.push({label: t('chart.low'), stroke: opts.band.colour, width: 0.5, alpha: 0.6,
        value: (u, v) => (v === null || v === undefined ? '–' : fmt(v))});
      bands.push({series: [hi, lo], fill: opts.band.fill || 'rgba(180,70,43,0.18)'});
      void best;
    }
  }
  const shadeSpans = (opts.shade || []).map(([a, b]) => [toX(a), toX(b) + (opts.x === 'year' ? 365 : 31) * 86400]);
  const hooks = {drawClear: [shadeHook(shadeSpans, 'rgba(242,169,0,0.18)')]};
  if (opts.lines) hooks.draw = [linesHook(() => opts.lines().map((l) => ({...l, x: toX(l.x)})))];
  // placed once the scales exist (ready), and again whenever the chart is resized
  if (opts.onLayout) {
    hooks.ready = [(u) => opts.onLayout(u)];
    hooks.setSize = [(u) => requestAnimationFrame(() => opts.onLayout(u))];
  }
  const options = {
    ...size(container, opts.height || 320),
    series,
    bands,
    scales: {x: {time: true}, y: opts.yRange ? {range: opts.yRange} : {range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1]}},
    axes: [
      {stroke: '#56656d', grid: {stroke: '#eef1f2'}, ticks: {stroke: '#c7d0d4'},
        label: opts.xLabel || '', labelSize: opts.xLabel ? 22 : 0},
      {stroke: '#56656d', grid: {stroke: '#eef1f2'}, ticks: {stroke: '#c7d0d4'}, label: opts.yLabel,
        labelSize: 22, size: 56, values: (u, vals) => vals.map((v) => (opts.yFormat ? opts.yFormat(v) : fmt(v, 2)))},
    ],
    legend: {live: true},
    cursor: {drag: {x: false, y: false}},
    hooks,
  };
  const chart = new window.uPlot(options, data, container);
  chart.root.setAttribute('role', 'img');
  chart.root.setAttribute('aria-label', opts.ariaLabel || opts.yLabel || '');
  chart.height = options.height;
  charts.add(chart);
  return chart;
}

// --- SVG grouped bars --------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  return node;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return v;
}

/**
 * Bars side by side per category (years), one colour per series; bars marked ``partial`` are
 * drawn pale with a dashed outline. opts: {categories, series: [{name, colour, values,
 * partial?: [bool], titles?: [text]}], yLabel, xLabel}
 */
export function groupedBars(container, opts) {
  const draw = () => {
    clear(container);
    const width = Math.max(300, container.clientWidth || 600);
    const height = opts.height || 300;
    const m = {top: 12, right: 12, bottom: 46, left: 64};
    const w = width - m.left - m.right;
    const h = height - m.top - m.bottom;
    const max = niceMax(Math.max(0, ...opts.series.flatMap((s) => s.values.filter((v) => v !== null))));
    const root = svg('svg', {class: 'chart-svg', viewBox: `0 0 ${width} ${height}`, width, height,
      role: 'img', 'aria-label': opts.ariaLabel || opts.yLabel});
    const n = opts.categories.length;
    const band = w / Math.max(1, n);
    const inner = band * 0.8;
    const barW = inner / opts.series.length;
    const y = (v) => m.top + h - (v / max) * h;
    for (let k = 0; k <= 4; k += 1) {
      const v = (max * k) / 4;
      root.append(svg('line', {class: 'grid', x1: m.left, x2: m.left + w, y1: y(v), y2: y(v)}));
      root.append(svg('text', {x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end'}, fmt(v)));
    }
    root.append(svg('line', {class: 'axis', x1: m.left, x2: m.left + w, y1: m.top + h, y2: m.top + h}));
    const every = Math.ceil(n / Math.max(1, Math.floor(w / 38)));
    opts.categories.forEach((cat, i) => {
      const x0 = m.left + i * band + (band - inner) / 2;
      opts.series.forEach((s, j) => {
        const v = s.values[i];
        if (v === null || v === undefined) return;
        const partial = s.partial && s.partial[i];
        const rect = svg('rect', {x: x0 + j * barW, y: y(v), width: Math.max(1, barW - 1),
          height: Math.max(0, m.top + h - y(v)), fill: s.colour, class: partial ? 'partial' : null,
          stroke: partial ? s.colour : null, 'stroke-dasharray': partial ? '3 2' : null,
          dataset: null});
        rect.dataset.series = s.key || s.name;
        rect.dataset.category = cat;
        rect.dataset.value = v;
        rect.append(svg('title', {}, (s.titles && s.titles[i]) || `${s.name}, ${cat}: ${fmt(v)}`));
        root.append(rect);
      });
      if (i % every === 0) {
        root.append(svg('text', {x: m.left + i * band + band / 2, y: m.top + h + 16, 'text-anchor': 'middle'}, String(cat)));
      }
    });
    root.append(svg('text', {class: 'axis-title', x: 14, y: m.top + h / 2, 'text-anchor': 'middle',
      transform: `rotate(-90 14 ${m.top + h / 2})`}, opts.yLabel));
    if (opts.xLabel) {
      root.append(svg('text', {class: 'axis-title', x: m.left + w / 2, y: height - 6, 'text-anchor': 'middle'}, opts.xLabel));
    }
    container.append(root);
  };
  draw();
  const again = debounce(draw, 150);
  window.addEventListener('resize', again);
  return {redraw: draw};
}

// --- HTML horizontal bars ----------------------------------------------------------------

/** One bar per row (best estimate) with a low–high whisker; rows: [{key, label, best, low, high}]. */
export function rangeBars(container, rows, {unit, colour} = {}) {
  clear(container);
  const max = niceMax(Math.max(1, ...rows.map((r) => Math.max(r.high ?? 0, r.best ?? 0))));
  const grid = el('div', {class: 'bars', role: 'list'});
  for (const r of rows) {
    const track = el('div', {class: 'bar-track', 'aria-hidden': 'true'});
    const bar = el('div', {class: 'bar'});
    bar.style.width = `${(100 * (r.best || 0)) / max}%`;
    if (colour) bar.style.background = colour;
    track.append(bar);
    if (r.low !== undefined && r.high !== undefined && r.high > r.low) {
      const whisker = el('div', {class: 'whisker'});
      whisker.style.left = `${(100 * r.low) / max}%`;
      whisker.style.width = `${(100 * (r.high - r.low)) / max}%`;
      track.append(whisker);
    }
    const text = r.low !== undefined && r.high !== undefined && r.high !== r.low
      ? `${fmt(r.best)} (${fmt(r.low)}–${fmt(r.high)})` : fmt(r.best);
    grid.append(el('div', {class: 'bar-label', role: 'listitem', dataset: {key: r.key}}, r.label),
      track, el('div', {class: 'bar-value', dataset: {key: r.key, value: r.best}, text}));
  }
  container.append(grid);
  container.append(el('p', {class: 'axis-note', text: t('chart.bars_axis', {unit, max: fmt(max)})}));
}

/** A small HTML legend: items [{colour, text, kind: 'swatch'|'line'|'band'|'dot'|'hatch'}]. */
export function legend(items) {
  const list = el('ul', {class: 'legend legend-inline'});
  for (const item of items) {
    const mark = el('span', {class: `swatch ${item.kind && item.kind !== 'swatch' ? item.kind : ''}`.trim(), 'aria-hidden': 'true'});
    if (item.kind === 'line' || item.kind === 'line dashed' || item.kind === 'line dotted') mark.style.borderTopColor = item.colour;
    else if (item.colour) mark.style.background = item.colour;
    list.append(el('li', {}, mark, el('span', {text: item.text})));
  }
  return list;
}
