// The country page: a monthly timeline (with the low–high band, or split by type or
// perpetrator, preliminary months shaded), UCDP vs ACLED by year, and who kills civilians.

import {
  apiUrl, clear, countryName, countryOptions, coveredCountries, el, fmt, getJson, label, notesList,
  readState, sequence, showEmpty, showError, showLoading, sourceLine, sourceName, startPage, t,
  writeState,
} from './common.js';
import {groupedBars, legend, PALETTE, rangeBars, timeSeries} from './charts.js';

const DEFAULTS = {country: 'MLI', source: 'ucdp', measure: 'fatalities', split: 'none', from: '',
  to: '', civ: 'total'};
const SOURCE_COLOURS = {ucdp: '#0f5c63', acled: '#d1495b'};
const BAND = '#b4462b';

const state = readState(DEFAULTS);
const ui = {};
let index = null;
let covered = new Map();
const seqs = {timeline: sequence(), compare: sequence(), civilians: sequence()};
window.sahel = {charts: {}};

startPage('country', async (idx) => {
  index = idx;
  for (const id of ['country', 'source', 'measure', 'split', 'from', 'to', 'civ', 'country-title',
    'timeline', 'timeline-lead', 'timeline-legend', 'timeline-source', 'compare', 'compare-legend',
    'compare-source', 'civilians', 'civilians-lead', 'civilians-legend', 'civilians-source']) {
    ui[id] = document.getElementById(id);
  }
  covered = await coveredCountries();
  state.country = state.country.toUpperCase();
  countryOptions(ui.country, covered, state.country);
  const sources = [...(index.sources || [])];
  if (sources.includes('ucdp')) sources.splice(1, 0, 'ucdp_ged', 'ucdp_candidate');
  if (!sources.includes(state.source)) sources.push(state.source);
  for (const s of sources) ui.source.append(el('option', {value: s, text: sourceName(s)}));
  ui.source.value = state.source;
  for (const key of ['measure', 'split', 'civ']) {
    if (![...ui[key].options].some((o) => o.value === state[key])) state[key] = DEFAULTS[key];
    ui[key].value = state[key];
  }
  fillYears();
  for (const key of ['country', 'source', 'measure', 'split', 'from', 'to', 'civ']) {
    ui[key].addEventListener('change', () => {
      state[key] = ui[key].value;
      if (key === 'country' || key === 'source') fillYears();
      if (key === 'from' && state.to && state.from > state.to) state.to = state.from;
      if (key === 'to' && state.from && state.to < state.from) state.from = state.to;
      ui.from.value = state.from;
      ui.to.value = state.to;
      draw(key);
    });
  }
  document.getElementById('country-controls').addEventListener('submit', (e) => e.preventDefault());
  await draw('all');
});

function parts(source) {
  return source === 'ucdp' ? ['ucdp_ged', 'ucdp_candidate'] : [source];
}

function spanOf(source) {
  let first = null;
  let last = null;
  for (const row of covered.get(state.country) || []) {
    if (!parts(source).includes(row.source)) continue;
    const a = Number(row.first_day.slice(0, 4));
    const b = Number(row.last_day.slice(0, 4));
    first = first === null ? a : Math.min(first, a);
    last = last === null ? b : Math.max(last, b);
  }
  return first === null ? null : [first, last];
}

/** The From/To selects: the years the chosen source covers for the country. */
function fillYears() {
  const span = spanOf(state.source);
  for (const key of ['from', 'to']) {
    clear(ui[key]);
    ui[key].append(el('option', {value: '', text: t(key === 'from' ? 'country.first_year' : 'country.last_year')}));
    if (span) for (let y = span[0]; y <= span[1]; y += 1) ui[key].append(el('option', {value: String(y), text: String(y)}));
  }
  for (const key of ['from', 'to']) {
    if (state[key] && span && (Number(state[key]) < span[0] || Number(state[key]) > span[1])) state[key] = '';
    if (state[key] && !span) state[key] = '';
    ui[key].value = state[key];
  }
}

async function draw(what) {
  writeState(state);
  ui['country-title'].textContent = t('country.title_of', {country: countryName(state.country)});
  const jobs = [];
  if (what !== 'civ') jobs.push(drawTimeline());
  if (['all', 'country', 'measure', 'from', 'to'].includes(what)) jobs.push(drawCompare());
  if (['all', 'country', 'source', 'civ', 'from', 'to'].includes(what)) jobs.push(drawCivilians());
  await Promise.all(jobs);
  document.body.dataset.render = String((Number(document.body.dataset.render) || 0) + 1);
}

function period() {
  return {start: state.from || null, end: state.to || null};
}

function best(measure) {
  return measure === 'events' ? 'events' : `${measure}_best`;
}

/** Consecutive months with ``flag`` set, as [[first, last], …]. */
function spans(months, flags) {
  const out = [];
  months.forEach((m, i) => {
    if (!flags[i]) return;
    if (out.length && out[out.length - 1].next === i) {
      out[out.length - 1][1] = m;
      out[out.length - 1].next = i + 1;
    } else {
      const s = [m, m];
      s.next = i + 1;
      out.push(s);
    }
  });
  return out;
}

// --- the monthly timeline ----------------------------------------------------------------

async function drawTimeline() {
  const id = seqs.timeline.next();
  const split = state.split;
  const url = apiUrl('/aggregates', {country: state.country, source: state.source, period: 'month',
    split: split === 'none' ? null : split, ...period()});
  showLoading(ui.timeline);
  clear(ui['timeline-legend']);
  clear(ui['timeline-source']);
  let body;
  try {
    body = await getJson(url);
  } catch (error) {
    if (!seqs.timeline.current(id)) return;
    showError(ui.timeline, error);
    window.sahel.charts.timeline = {url, error: error.message};
    return;
  }
  if (!seqs.timeline.current(id)) return;
  const rows = body.data;
  const measure = best(state.measure);
  const unit = t(`unit.${state.measure}`);
  ui['timeline-lead'].textContent = t('country.timeline_lead', {measure: t(`measure.${state.measure}`),
    country: countryName(state.country), source: sourceName(state.source)});
  if (!rows.length) {
    showEmpty(ui.timeline, t('country.no_rows', {country: countryName(state.country), source: sourceName(state.source)}),
      t('country.no_rows_hint'));
    sourceLine(ui['timeline-source'], body, {csv: url});
    window.sahel.charts.timeline = {url, rows: 0};
    return;
  }
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const at = new Map(months.map((m, i) => [m, i]));
  const prelim = months.map(() => false);
  for (const r of rows) if (r.preliminary) prelim[at.get(r.month)] = true;
  const shade = spans(months, prelim);
  const items = [];
  let chartSeries;
  let band = null;
  if (split === 'none') {
    const values = months.map(() => null);
    const low = months.map(() => null);
    const high = months.map(() => null);
    for (const r of rows) {
      const i = at.get(r.month);
      values[i] = r[measure];
      if (state.measure !== 'events') {
        low[i] = r[`${state.measure}_low`];
        high[i] = r[`${state.measure}_high`];
      }
    }
    chartSeries = [{name: t(`measure.${state.measure === 'events' ? 'events' : `${state.measure}_best`}`), values, colour: '#1d2a30', width: 1.5}];
    items.push({colour: '#1d2a30', text: t(state.measure === 'events' ? 'measure.events' : 'chart.best'), kind: 'line'});
    if (state.measure !== 'events') {
      band = {low, high, colour: BAND, fill: 'rgba(180,70,43,0.22)'};
      items.push({colour: 'rgba(180,70,43,0.45)', text: t('chart.band'), kind: 'swatch'});
    }
  } else {
    const key = split;
    const totals = new Map();
    for (const r of rows) totals.set(r[key], (totals.get(r[key]) || 0) + r[measure]);
    const groups = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
    chartSeries = groups.map((g, gi) => {
      const values = months.map(() => null);
      for (const r of rows) if (r[key] === g) values[at.get(r.month)] = r[measure];
      return {name: label(key, g), values, colour: PALETTE[gi % PALETTE.length]};
    });
    chartSeries.forEach((s) => items.push({colour: s.colour, text: s.name}));
  }
  if (shade.length) items.push({colour: 'rgba(242,169,0,0.35)', text: t('chart.preliminary'), kind: 'swatch'});
  clear(ui.timeline);
  timeSeries(ui.timeline, {x: 'month', xs: months, series: chartSeries, band, stacked: split !== 'none',
    yLabel: t('country.per_month', {unit}), shade, height: 340,
    ariaLabel: ui['timeline-lead'].textContent});
  ui['timeline-legend'].append(legend(items));
  if (split !== 'none') {
    ui['timeline-legend'].append(el('p', {class: 'small muted', text: t('country.stacked_note', {unit})}));
  }
  sourceLine(ui['timeline-source'], body, {csv: url});
  const notes = notesList(body.notes);
  if (notes) ui['timeline-source'].append(notes);
  window.sahel.charts.timeline = {url, rows: rows.length, months: months.length, series: chartSeries.length,
    preliminary: prelim.filter(Boolean).length};
}

// --- UCDP vs ACLED -----------------------------------------------------------------------

async function drawCompare() {
  const id = seqs.compare.next();
  const sources = index.sources || [];
  const ucdp = sources.includes('ucdp') ? 'ucdp' : sources.find((s) => s.startsWith('ucdp'));
  showLoading(ui.compare);
  clear(ui['compare-legend']);
  clear(ui['compare-source']);
  const a = ucdp ? spanOf(ucdp) : null;
  const b = sources.includes('acled') ? spanOf('acled') : null;
  if (!a || !b || Math.max(a[0], b[0]) > Math.min(a[1], b[1])) {
    showEmpty(ui.compare, t('country.compare_none', {country: countryName(state.country)}),
      t('country.compare_none_hint', {ucdp: a ? `${a[0]}–${a[1]}` : t('country.not_held'),
        acled: b ? `${b[0]}–${b[1]}` : t('country.not_held')}));
    window.sahel.charts.compare = {url: null, rows: 0};
    return;
  }
  let start = Math.max(a[0], b[0]);
  let end = Math.min(a[1], b[1]);
  if (state.from) start = Math.max(start, Number(state.from));
  if (state.to) end = Math.min(end, Number(state.to));
  if (start > end) {
    showEmpty(ui.compare, t('country.compare_outside'), t('country.compare_outside_hint'));
    window.sahel.charts.compare = {url: null, rows: 0};
    return;
  }
  const url = apiUrl('/aggregates', {country: state.country, source: [ucdp, 'acled'], period: 'year',
    start: String(start), end: String(end)});
  let body;
  try {
    body = await getJson(url);
  } catch (error) {
    if (seqs.compare.current(id)) showError(ui.compare, error);
    return;
  }
  if (!seqs.compare.current(id)) return;
  const rows = body.data;
  const measure = best(state.measure);
  const years = [...new Set(rows.map((r) => r.year))].sort((x, y) => x - y);
  const series = [ucdp, 'acled'].map((source) => {
    const values = years.map(() => null);
    const partial = years.map(() => false);
    const titles = years.map(() => '');
    for (const r of rows.filter((row) => row.source === source)) {
      const i = years.indexOf(r.year);
      values[i] = r[measure];
      partial[i] = r.months_covered < 12 || r.months_preliminary > 0;
      titles[i] = `${sourceName(source)}, ${r.year}: ${fmt(r[measure])} ${t(`unit.${state.measure}`)}`
        + (r.months_covered < 12 ? ` — ${t('country.months_covered', {n: r.months_covered})}` : '')
        + (r.months_preliminary > 0 ? ` — ${t('country.months_preliminary', {n: r.months_preliminary})}` : '');
    }
    return {key: source, name: sourceName(source), colour: SOURCE_COLOURS[source === 'acled' ? 'acled' : 'ucdp'],
      values, partial, titles};
  });
  clear(ui.compare);
  groupedBars(ui.compare, {categories: years, series, yLabel: t('country.per_year', {unit: t(`unit.${state.measure}`)}),
    xLabel: t('chart.year'), ariaLabel: t('country.compare')});
  const partialYears = [];
  for (const r of rows) {
    if (r.months_covered < 12 || r.months_preliminary > 0) {
      partialYears.push(t('country.partial_item', {source: sourceName(r.source), year: r.year, n: r.months_covered}));
    }
  }
  ui['compare-legend'].append(legend([
    ...series.map((s) => ({colour: s.colour, text: s.name})),
    {kind: 'hatch', text: t('country.partial_year')},
  ]));
  if (partialYears.length) {
    ui['compare-legend'].append(el('p', {class: 'small muted', text: partialYears.join('; ')}));
  }
  sourceLine(ui['compare-source'], body, {csv: url});
  window.sahel.charts.compare = {url, rows: rows.length, years: years.length};
}

// --- who kills civilians -----------------------------------------------------------------

async function drawCivilians() {
  const id = seqs.civilians.next();
  const byYear = state.civ === 'year';
  const url = apiUrl('/aggregates', {country: state.country, source: state.source, split: 'perpetrator',
    period: byYear ? 'year' : 'total', ...period()});
  showLoading(ui.civilians);
  clear(ui['civilians-legend']);
  clear(ui['civilians-source']);
  ui['civilians-lead'].textContent = t('country.civilians_lead', {country: countryName(state.country),
    source: sourceName(state.source)});
  let body;
  try {
    body = await getJson(url);
  } catch (error) {
    if (seqs.civilians.current(id)) showError(ui.civilians, error);
    return;
  }
  if (!seqs.civilians.current(id)) return;
  const rows = body.data;
  if (!rows.length || rows.every((r) => !r.civilian_deaths_best)) {
    showEmpty(ui.civilians, t('country.civilians_none'), t('country.no_rows_hint'));
    sourceLine(ui['civilians-source'], body, {csv: url});
    window.sahel.charts.civilians = {url, rows: rows.length};
    return;
  }
  const unit = t('unit.civilian_deaths');
  if (!byYear) {
    const sorted = [...rows].sort((x, y) => y.civilian_deaths_best - x.civilian_deaths_best);
    rangeBars(ui.civilians, sorted.map((r) => ({key: r.perpetrator, label: label('perpetrator', r.perpetrator),
      best: r.civilian_deaths_best, low: r.civilian_deaths_low, high: r.civilian_deaths_high})), {unit, colour: BAND});
    ui['civilians-legend'].append(legend([{colour: BAND, text: t('chart.best')},
      {kind: 'line', colour: '#1d2a30', text: t('chart.whisker')}]));
  } else {
    const years = [...new Set(rows.map((r) => r.year))].sort((x, y) => x - y);
    const totals = new Map();
    for (const r of rows) totals.set(r.perpetrator, (totals.get(r.perpetrator) || 0) + r.civilian_deaths_best);
    const groups = [...totals.keys()].sort((x, y) => totals.get(y) - totals.get(x));
    const series = groups.map((g, gi) => {
      const values = years.map(() => null);
      for (const r of rows) if (r.perpetrator === g) values[years.indexOf(r.year)] = r.civilian_deaths_best;
      return {name: label('perpetrator', g), values, colour: PALETTE[gi % PALETTE.length]};
    });
    clear(ui.civilians);
    timeSeries(ui.civilians, {x: 'year', xs: years.map(String), series, yLabel: t('country.per_year', {unit}),
      height: 300, ariaLabel: t('country.civilians')});
    ui['civilians-legend'].append(legend(series.map((s) => ({colour: s.colour, text: s.name, kind: 'line'}))));
  }
  sourceLine(ui['civilians-source'], body, {csv: url});
  const notes = notesList(body.notes);
  if (notes) ui['civilians-source'].append(notes);
  window.sahel.charts.civilians = {url, rows: rows.length};
}
