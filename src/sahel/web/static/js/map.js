// The map page: admin-1 choropleth (aggregates joined to boundaries on admin1_key) and event
// dots (only events placed at a point: the server gives the others a null geometry), over
// offline country outlines (vendored world-atlas), with a time slider. No tiles, no glyphs,
// no sprite: nothing is fetched from another host.

import * as maplibregl from '/static/vendor/maplibre-gl/maplibre-gl.mjs';
import {
  apiUrl, clear, countryName, coveredCountries, debounce, el, fmt, getJson, label,
  monthLabel, notesList, readState, SAHEL, sequence, showError, showLoading,
  sourceLine, sourceName, startPage, t, writeState,
} from './common.js';

const DEFAULTS = {country: 'MLI,BFA,NER', source: 'ucdp', measure: 'events', span: 'year', t: '',
  points: 'on', c: '', z: ''};
const EVENT_LIMIT = 5000;
const COLOURS = ['#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'];
const ZERO = '#f6f2e4';
const UNCOVERED = '#d9dee0';
const UNJOINED = '#c9d3e6';
const POINT = '#1d2a30';
const POINT_CIVILIAN = '#7b2cbf';

const state = readState(DEFAULTS);
const ui = {};
const seq = sequence();
let map = null;
let index = null;
let covered = new Map();
let boundaries = {key: null, body: null, error: null};
let domain = {years: [], months: []};
let lastPlaced = [];
let fitPending = false;
window.sahel = {renders: 0};

startPage('map', async (idx) => {
  index = idx;
  for (const id of ['countries', 'source', 'measure', 'span', 'time', 'time-value', 'time-label',
    'time-prev', 'time-next', 'points', 'public-notice', 'boundary-notice', 'map-status', 'legend-classes',
    'legend-points', 'legend-title', 'counts', 'source-regions', 'source-points', 'unmatched',
    'unmatched-panel', 'region-rows', 'region-table-summary', 'coverage-note']) {
    ui[id] = document.getElementById(id);
  }
  covered = await coveredCountries();
  fillCountries();
  fillSources();
  ui.measure.value = state.measure;
  ui.span.value = ['year', 'month', 'all'].includes(state.span) ? state.span : 'year';
  state.span = ui.span.value;
  ui.points.value = state.points === 'off' ? 'off' : 'on';
  state.points = ui.points.value;
  setDomain(true);
  wireControls();
  await makeMap();
  await render();
});

// --- controls ----------------------------------------------------------------------------

function fillCountries() {
  const sahel = SAHEL.filter((c) => covered.has(c));
  const presets = [
    ['MLI,BFA,NER', t('map.preset_central')],
    [sahel.join(','), t('map.preset_sahel')],
  ];
  clear(ui.countries);
  const group = el('optgroup', {label: t('map.presets')});
  for (const [value, text] of presets) group.append(el('option', {value, text}));
  const single = el('optgroup', {label: t('map.single')});
  const others = [...covered.keys()].filter((c) => !SAHEL.includes(c))
    .sort((a, b) => countryName(a).localeCompare(countryName(b)));
  for (const code of [...sahel, ...others]) single.append(el('option', {value: code, text: countryName(code)}));
  ui.countries.append(group, single);
  const wanted = normaliseCountries(state.country);
  if (![...ui.countries.options].some((o) => o.value === wanted)) {
    ui.countries.prepend(el('option', {value: wanted, text: wanted.split(',').map(countryName).join(', ')}));
  }
  ui.countries.value = wanted;
  state.country = wanted;
}

function normaliseCountries(text) {
  return String(text || DEFAULTS.country).split(',').map((c) => c.trim().toUpperCase()).filter(Boolean).join(',');
}

function fillSources() {
  const sources = [...(index.sources || [])];
  if (sources.includes('ucdp')) sources.splice(1, 0, 'ucdp_ged', 'ucdp_candidate');
  clear(ui.source);
  for (const s of sources) ui.source.append(el('option', {value: s, text: sourceName(s)}));
  if (!sources.includes(state.source)) {
    ui.source.append(el('option', {value: state.source, text: sourceName(state.source)}));
  }
  ui.source.value = state.source;
}

function countries() {
  return state.country.split(',');
}

function sourceParts(source) {
  return source === 'ucdp' ? ['ucdp_ged', 'ucdp_candidate'] : [source];
}

/** The months the chosen source covers for the chosen countries (slider range). */
function setDomain(fromUrl = false) {
  let first = null;
  let last = null;
  for (const code of countries()) {
    for (const row of covered.get(code) || []) {
      if (!sourceParts(state.source).includes(row.source)) continue;
      const a = row.first_day.slice(0, 7);
      const b = row.last_day.slice(0, 7);
      if (first === null || a < first) first = a;
      if (last === null || b > last) last = b;
    }
  }
  const months = [];
  const years = [];
  if (first !== null) {
    let [y, m] = first.split('-').map(Number);
    const [ly, lm] = last.split('-').map(Number);
    while (y < ly || (y === ly && m <= lm)) {
      months.push(`${y}-${String(m).padStart(2, '0')}`);
      if (!years.includes(y)) years.push(y);
      m += 1;
      if (m > 12) { m = 1; y += 1; }
    }
  }
  domain = {years, months};
  // keep the chosen time if the new range has it, else its nearest point
  let value = state.t;
  if (state.span === 'year') {
    const year = Number(String(value).slice(0, 4)) || (fromUrl ? null : null);
    value = years.length ? String(clamp(year ?? years[years.length - 1], years[0], years[years.length - 1])) : '';
  } else if (state.span === 'month') {
    let month = /^\d{4}-\d{2}$/.test(value) ? value : (/^\d{4}$/.test(value) ? `${value}-06` : null);
    if (!month && months.length) month = months[months.length - 1];
    if (month && months.length) {
      if (month < months[0]) month = months[0];
      if (month > months[months.length - 1]) month = months[months.length - 1];
    }
    value = month || '';
  } else {
    value = '';
  }
  state.t = value;
  syncSlider();
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

function syncSlider() {
  const list = state.span === 'year' ? domain.years.map(String) : state.span === 'month' ? domain.months : [];
  ui.time.disabled = list.length === 0;
  ui['time-prev'].disabled = ui.time.disabled;
  ui['time-next'].disabled = ui.time.disabled;
  ui.time.min = 0;
  ui.time.max = Math.max(0, list.length - 1);
  ui.time.value = Math.max(0, list.indexOf(state.t));
  ui['time-label'].textContent = t(state.span === 'month' ? 'control.month' : state.span === 'year' ? 'control.year' : 'control.all');
  ui['time-value'].textContent = timeText();
  ui.time.setAttribute('aria-valuetext', timeText());
}

function timeText() {
  if (state.span === 'year') return state.t;
  if (state.span === 'month') return monthLabel(state.t);
  if (!domain.years.length) return '';
  return `${domain.years[0]}–${domain.years[domain.years.length - 1]}`;
}

function period() {
  if (state.span === 'year' && state.t) return {start: state.t, end: state.t};
  if (state.span === 'month' && state.t) return {start: state.t, end: state.t};
  return {};
}

function wireControls() {
  const refresh = debounce(() => render(), 200);
  ui.countries.addEventListener('change', () => {
    state.country = ui.countries.value;
    state.c = '';
    state.z = '';
    setDomain();
    render({fit: true});
  });
  ui.source.addEventListener('change', () => {
    state.source = ui.source.value;
    setDomain();
    render();
  });
  ui.measure.addEventListener('change', () => {
    state.measure = ui.measure.value;
    render();
  });
  ui.span.addEventListener('change', () => {
    const before = state.t;
    state.span = ui.span.value;
    state.t = state.span === 'month' && /^\d{4}$/.test(before) ? `${before}-12` : before;
    setDomain();
    render();
  });
  ui.points.addEventListener('change', () => {
    state.points = ui.points.value;
    render();
  });
  ui.time.addEventListener('input', () => {
    const list = state.span === 'year' ? domain.years.map(String) : domain.months;
    state.t = list[Number(ui.time.value)] || '';
    ui['time-value'].textContent = timeText();
    ui.time.setAttribute('aria-valuetext', timeText());
    writeState(state);
    refresh();
  });
  const step = (delta) => {
    const next = clamp(Number(ui.time.value) + delta, Number(ui.time.min), Number(ui.time.max));
    ui.time.value = next;
    ui.time.dispatchEvent(new Event('input'));
  };
  ui['time-prev'].addEventListener('click', () => step(-1));
  ui['time-next'].addEventListener('click', () => step(1));
  document.getElementById('map-controls').addEventListener('submit', (e) => e.preventDefault());
}

// --- the map -----------------------------------------------------------------------------

async function makeMap() {
  const topo = await (await fetch('/static/vendor/world-atlas/countries-50m.json')).json();
  const world = window.topojson.feature(topo, topo.objects.countries);
  const view = parseView();
  map = new maplibregl.Map({
    container: 'map',
    style: {version: 8, sources: {}, layers: [
      {id: 'background', type: 'background', paint: {'background-color': '#dce8ec'}}]},
    center: view ? view.center : [-1.5, 15.5],
    zoom: view ? view.zoom : 4.3,
    minZoom: 1.5,
    maxZoom: 11,
    attributionControl: false,
    fadeDuration: 0,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({showCompass: false}), 'top-right');
  map.addControl(new maplibregl.AttributionControl({compact: true,
    customAttribution: t('map.attribution')}), 'bottom-right');
  map.on('error', (event) => {
    console.error('map error:', event.error && event.error.message);
  });
  window.sahel.map = map;
  await new Promise((resolve) => map.on('load', resolve));
  map.addSource('world', {type: 'geojson', data: world});
  map.addSource('regions', {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
  map.addSource('events', {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
  map.addLayer({id: 'world-fill', type: 'fill', source: 'world',
    paint: {'fill-color': '#fbfaf6'}});
  map.addLayer({id: 'regions-fill', type: 'fill', source: 'regions',
    paint: {'fill-color': ['coalesce', ['get', 'fill'], UNCOVERED], 'fill-opacity': 0.92}});
  map.addLayer({id: 'regions-line', type: 'line', source: 'regions',
    paint: {'line-color': '#6f7f86', 'line-width': 0.6}});
  map.addLayer({id: 'world-line', type: 'line', source: 'world',
    paint: {'line-color': '#45555c', 'line-width': 1.1}});
  map.addLayer({id: 'events-points', type: 'circle', source: 'events',
    paint: {
      'circle-color': ['case', ['==', ['get', 'civilian_targeting'], true], POINT_CIVILIAN, POINT],
      'circle-opacity': 0.7,
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 0.6,
      'circle-radius': ['interpolate', ['linear'], ['sqrt', ['max', 0, ['coalesce', ['get', 'fatalities_best'], 0]]],
        0, 2.5, 3, 4.5, 10, 10, 30, 22],
    }});
  map.on('click', 'regions-fill', (e) => regionPopup(e));
  map.on('click', 'events-points', (e) => eventPopup(e));
  for (const layer of ['regions-fill', 'events-points']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  map.on('moveend', () => {
    const c = map.getCenter();
    state.c = `${c.lng.toFixed(3)},${c.lat.toFixed(3)}`;
    state.z = map.getZoom().toFixed(2);
    writeState(state);
  });
  if (!view) fitPending = true;
}

function parseView() {
  const parts = String(state.c || '').split(',').map(Number);
  const zoom = Number(state.z);
  if (parts.length === 2 && parts.every(Number.isFinite) && Number.isFinite(zoom) && state.z !== '') {
    return {center: parts, zoom};
  }
  return null;
}

// --- loading and drawing -----------------------------------------------------------------

async function render({fit = false} = {}) {
  const id = seq.next();
  writeState(state);
  const where = {country: state.country, source: state.source, ...period()};
  const aggUrl = apiUrl('/aggregates', {unit: 'admin1', period: 'total', ...where});
  const acledHidden = index.public && state.source === 'acled';
  const wantPoints = state.points === 'on' && !acledHidden;
  const eventsUrl = wantPoints ? apiUrl('/events', {f: 'geojson', limit: EVENT_LIMIT, ...where}) : null;

  ui['public-notice'].hidden = !acledHidden;
  ui['public-notice'].textContent = acledHidden ? t('map.public_notice') : '';
  showLoading(ui['map-status'], t('map.loading'));

  const [bounds, aggs, events] = await Promise.allSettled([
    loadBoundaries(), getJson(aggUrl), eventsUrl ? getJson(eventsUrl) : Promise.resolve(null)]);
  if (!seq.current(id)) return;
  clear(ui['map-status']);

  // regions
  const boundaryBody = bounds.status === 'fulfilled' ? bounds.value : null;
  ui['boundary-notice'].hidden = boundaryBody !== null;
  if (boundaryBody === null) {
    const err = bounds.reason || {};
    ui['boundary-notice'].textContent = t('map.no_boundaries', {message: err.message || '', hint: err.hint || ''});
  }
  if (aggs.status === 'rejected') {
    showError(ui['map-status'], aggs.reason);
    map.getSource('regions').setData({type: 'FeatureCollection', features: []});
    clear(ui['legend-classes']);
    clear(ui['source-regions']);
  } else {
    drawRegions(boundaryBody, aggs.value, aggUrl);
  }

  // dots
  if (!wantPoints) {
    map.getSource('events').setData({type: 'FeatureCollection', features: []});
    drawPointLegend(null, acledHidden);
    clear(ui['source-points']);
    window.sahel.points = {url: null, drawn: 0, unplaced: 0, total: 0};
  } else if (events.status === 'rejected') {
    map.getSource('events').setData({type: 'FeatureCollection', features: []});
    showError(ui['map-status'], events.reason);
    drawPointLegend(null, false);
    window.sahel.points = {url: eventsUrl, drawn: 0, unplaced: 0, total: 0, error: events.reason.message};
  } else {
    drawPoints(events.value, eventsUrl);
  }

  if (fit || fitPending) {
    fitPending = false;
    fitTo(boundaryBody);
  }
  await new Promise((resolve) => {
    if (map.loaded() && !map.isMoving()) {
      map.once('idle', resolve);
      map.triggerRepaint();
    } else {
      map.once('idle', resolve);
    }
  });
  if (!seq.current(id)) return;
  window.sahel.renders += 1;
  window.sahel.state = {...state};
  document.body.dataset.render = String(window.sahel.renders);
}

async function loadBoundaries() {
  const key = state.country;
  if (boundaries.key !== key) {
    boundaries = {key, promise: getJson(apiUrl('/boundaries/admin1', {country: key}))};
  }
  return boundaries.promise;
}

function coveredIn(code) {
  // is the country covered by the source during the chosen period?
  const {start, end} = period();
  const lo = start ? (start.length === 4 ? `${start}-01-01` : `${start}-01`) : '0000';
  const hi = end ? (end.length === 4 ? `${end}-12-31` : `${end}-31`) : '9999';
  return (covered.get(code) || []).some((row) => sourceParts(state.source).includes(row.source)
    && row.first_day <= hi && row.last_day >= lo);
}

function drawRegions(boundaryBody, body, url) {
  const measure = state.measure;
  const rows = body.data || [];
  const byKey = new Map(rows.map((r) => [`${r.country_iso3}|${r.admin1_key}`, r]));
  const values = rows.map((r) => r[measure]).filter((v) => v > 0);
  const breaks = classBreaks(values);
  const matched = new Set();
  const features = [];
  const shapes = (boundaryBody && boundaryBody.features) || [];
  const shapeKeys = new Set(shapes.map((f) => `${f.properties.country_iso3}|${f.properties.admin1_key}`));
  // a country whose rows match none of its outlines (another level of subdivision): its
  // outlines are "figures not drawn", never a false zero
  const unjoinable = new Set();
  for (const code of new Set(rows.map((r) => r.country_iso3))) {
    const own = rows.filter((r) => r.country_iso3 === code);
    if (!own.some((r) => shapeKeys.has(`${code}|${r.admin1_key}`))) unjoinable.add(code);
  }
  for (const f of shapes) {
    const p = f.properties;
    const key = `${p.country_iso3}|${p.admin1_key}`;
    const row = byKey.get(key);
    const isCovered = coveredIn(p.country_iso3) && !unjoinable.has(p.country_iso3);
    let value = null;
    if (row) {
      matched.add(key);
      value = row[measure];
    } else if (isCovered) {
      value = 0;
    }
    const fill = value !== null ? colourOf(value, breaks) : unjoinable.has(p.country_iso3) ? UNJOINED : UNCOVERED;
    features.push({type: 'Feature', geometry: f.geometry,
      properties: {...p, value, covered: isCovered, unjoined: unjoinable.has(p.country_iso3), fill,
        events: row ? row.events : (isCovered ? 0 : null),
        fatalities_best: row ? row.fatalities_best : (isCovered ? 0 : null),
        civilian_deaths_best: row ? row.civilian_deaths_best : (isCovered ? 0 : null)}});
  }
  map.getSource('regions').setData({type: 'FeatureCollection', features});
  const unmatched = boundaryBody ? rows.filter((r) => !matched.has(`${r.country_iso3}|${r.admin1_key}`)) : [];
  drawUnmatched(unmatched);
  if (boundaryBody) {
    drawRegionLegend(breaks, rows.length,
      features.some((f) => f.properties.value === null && !f.properties.unjoined), unjoinable);
  } else {
    clear(ui['legend-classes']).append(el('p', {class: 'small', text: t('map.no_colours')}));
    document.getElementById('region-table').open = true;
  }
  drawTable(rows);
  drawCoverage();
  sourceLine(ui['source-regions'], body, {csv: url});
  ui['source-regions'].prepend(el('h3', {text: t('map.regions_source')}));
  window.sahel.regions = {url, rows: rows.length, drawn: features.length, unmatched: unmatched.length,
    breaks, matched: matched.size};
}

/** Every region's figures as a table (for keyboards and screen readers, and to read values). */
function drawTable(rows) {
  const body = clear(ui['region-rows']);
  const sorted = [...rows].sort((a, b) => b[state.measure] - a[state.measure]);
  for (const r of sorted) {
    body.append(el('tr', {},
      el('td', {text: r.admin1}), el('td', {text: countryName(r.country_iso3)}),
      el('td', {class: 'num', text: fmt(r.events)}),
      el('td', {class: 'num', text: `${fmt(r.fatalities_best)} (${fmt(r.fatalities_low)}–${fmt(r.fatalities_high)})`}),
      el('td', {class: 'num', text: `${fmt(r.civilian_deaths_best)} (${fmt(r.civilian_deaths_low)}–${fmt(r.civilian_deaths_high)})`})));
  }
  ui['region-table-summary'].textContent = t('map.table', {n: fmt(rows.length), when: timeText()});
}

/** How much of the period each country is covered by the source (a partly covered year is
 * said, so that a pale region is not read as a calm one). */
function drawCoverage() {
  const box = clear(ui['coverage-note']);
  const {start, end} = period();
  const lo = start ? (start.length === 4 ? `${start}-01` : start) : (domain.months[0] || '');
  const hi = end ? (end.length === 4 ? `${end}-12` : end) : (domain.months[domain.months.length - 1] || '');
  if (!lo || !hi) return;
  const months = monthsBetween(lo, hi);
  const items = [];
  for (const code of countries()) {
    const spans = (covered.get(code) || []).filter((row) => sourceParts(state.source).includes(row.source));
    const inside = months.filter((m) => spans.some((s) => s.first_day.slice(0, 7) <= m && s.last_day.slice(0, 7) >= m));
    if (inside.length === months.length) continue;
    items.push(inside.length
      ? t('map.coverage_partial', {country: countryName(code), n: inside.length, of: months.length,
        from: monthLabel(inside[0]), to: monthLabel(inside[inside.length - 1])})
      : t('map.coverage_none', {country: countryName(code)}));
  }
  if (items.length) {
    box.append(el('h3', {text: t('map.coverage_title')}), el('ul', {class: 'small'}, items.map((i) => el('li', {text: i}))));
  }
}

function monthsBetween(lo, hi) {
  const out = [];
  let [y, m] = lo.split('-').map(Number);
  const [hy, hm] = hi.split('-').map(Number);
  while (y < hy || (y === hy && m <= hm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

function drawUnmatched(rows) {
  clear(ui.unmatched);
  ui['unmatched-panel'].hidden = rows.length === 0;
  const unit = t(`unit.${state.measure}`);
  for (const r of rows.sort((a, b) => b[state.measure] - a[state.measure])) {
    ui.unmatched.append(el('li', {dataset: {key: r.admin1_key}},
      `${r.admin1} (${countryName(r.country_iso3)}): ${fmt(r[state.measure])} ${unit}`));
  }
}

/** Up to five classes over the positive values, spaced on a log scale (conflict figures are
 * skewed: a few regions have most of the deaths) and rounded to numbers people read easily. */
export function classBreaks(values) {
  if (!values.length) return [];
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= 5) return distinct;
  const max = distinct[distinct.length - 1];
  const nice = (v) => {
    if (v <= 10) return Math.ceil(v);
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return v;
  };
  const cuts = [];
  for (const k of [1, 2, 3, 4]) {
    const v = nice(max ** (k / 5));
    if (v < max && (!cuts.length || v > cuts[cuts.length - 1])) cuts.push(v);
  }
  cuts.push(max);
  return cuts;
}

function colourOf(value, breaks) {
  if (!value) return ZERO;
  for (let i = 0; i < breaks.length; i += 1) {
    if (value <= breaks[i]) return COLOURS[Math.round(i * (COLOURS.length - 1) / Math.max(1, breaks.length - 1))];
  }
  return COLOURS[COLOURS.length - 1];
}

function drawRegionLegend(breaks, rowCount, anyUncovered, unjoinable) {
  const box = clear(ui['legend-classes']);
  const unit = t(`unit.${state.measure}`);
  box.append(el('h3', {text: t('map.legend_regions', {measure: t(`measure.${state.measure}`), when: timeText()})}));
  const list = el('ul', {class: 'classes'});
  list.append(legendItem(ZERO, t('map.class_zero', {unit})));
  let lo = 1;
  breaks.forEach((hi, i) => {
    const text = lo >= hi ? `${fmt(hi)} ${unit}` : `${fmt(lo)}–${fmt(hi)} ${unit}`;
    list.append(legendItem(colourOf(hi, breaks), text));
    lo = Math.floor(hi) + 1;
    if (i === breaks.length - 1) lo = hi;
  });
  if (anyUncovered) list.append(legendItem(UNCOVERED, t('map.class_uncovered')));
  if (unjoinable.size) {
    list.append(legendItem(UNJOINED, t('map.class_unjoined',
      {countries: [...unjoinable].map(countryName).join(', ')})));
  }
  box.append(list);
  if (!rowCount) box.append(el('p', {class: 'muted small', text: t('map.no_rows')}));
}

function legendItem(colour, text, cls = 'swatch') {
  const swatch = el('span', {class: cls, 'aria-hidden': 'true'});
  swatch.style.background = colour;
  return el('li', {}, swatch, el('span', {text}));
}

function drawPoints(body, url) {
  const all = body.features || [];
  const placed = all.filter((f) => f.geometry !== null);
  map.getSource('events').setData({type: 'FeatureCollection', features: placed});
  lastPlaced = placed;
  const unplaced = all.length - placed.length;
  const total = body.total ?? all.length;
  window.sahel.points = {url, drawn: placed.length, unplaced, total, count: all.length,
    ids: placed.map((f) => f.id)};
  const lines = [t('map.count_drawn', {n: fmt(placed.length)}),
    t('map.count_unplaced', {n: fmt(unplaced)})];
  if (total > all.length) lines.push(t('map.count_limited', {shown: fmt(all.length), total: fmt(total)}));
  clear(ui.counts).append(...lines.map((line) => el('span', {class: 'count-line'}, line, el('br'))));
  drawPointLegend(body, false);
  sourceLine(ui['source-points'], body, {csv: url});
  ui['source-points'].prepend(el('h3', {text: t('map.points_source')}));
  const notes = notesList(body.notes);
  if (notes) ui['source-points'].append(notes);
}

function drawPointLegend(body, acledHidden) {
  const box = clear(ui['legend-points']);
  if (state.points !== 'on') {
    clear(ui.counts);
    box.append(el('p', {class: 'muted small', text: t('map.points_off')}));
    return;
  }
  if (acledHidden) {
    clear(ui.counts);
    box.append(el('p', {class: 'muted small', text: t('map.points_public')}));
    return;
  }
  box.append(el('h3', {text: t('map.legend_points')}));
  const list = el('ul');
  for (const [colour, key] of [[POINT, 'map.point_other'], [POINT_CIVILIAN, 'map.point_civilian']]) {
    list.append(legendItem(colour, t(key), 'swatch dot'));
  }
  box.append(list);
  box.append(el('p', {class: 'small', text: t('map.point_size')}));
  box.append(el('p', {class: 'small region-note', text: t('map.region_note')}));
}

function fitTo(boundaryBody) {
  const feats = (boundaryBody && boundaryBody.features) || [];
  let box = null;
  const extend = (coords) => {
    if (typeof coords[0] === 'number') {
      const [x, y] = coords;
      box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
    } else {
      coords.forEach(extend);
    }
  };
  feats.forEach((f) => f.geometry && extend(f.geometry.coordinates));
  if (!box) {
    lastPlaced.forEach((f) => extend(f.geometry.coordinates));
  }
  if (box) map.fitBounds([[box[0], box[1]], [box[2], box[3]]], {padding: 24, animate: false, maxZoom: 7});
}

// --- popups ------------------------------------------------------------------------------

function regionPopup(e) {
  const f = e.features[0];
  const p = f.properties;
  const content = el('div', {},
    el('h3', {text: `${p.name} (${countryName(p.country_iso3)})`}),
    p.value === null || p.value === 'null'
      ? el('p', {text: t('map.class_uncovered')})
      : el('ul', {class: 'kv'},
        el('li', {text: `${t('measure.events')}: ${fmt(Number(p.events))}`}),
        el('li', {text: `${t('measure.fatalities_best')}: ${fmt(Number(p.fatalities_best))}`}),
        el('li', {text: `${t('measure.civilian_deaths_best')}: ${fmt(Number(p.civilian_deaths_best))}`})),
    el('p', {class: 'muted', text: `${sourceName(state.source)} · ${timeText()}`}));
  new maplibregl.Popup({maxWidth: '300px'}).setLngLat(e.lngLat).setDOMContent(content).addTo(map);
}

function eventPopup(e) {
  const p = e.features[0].properties;
  const when = p.date_start === p.date_end || !p.date_end ? p.date_start : `${p.date_start} – ${p.date_end}`;
  const actors = [p.actor1_raw, p.actor2_raw].filter((a) => a && a !== 'null').join(' – ');
  const content = el('div', {},
    el('h3', {text: `${p.location && p.location !== 'null' ? p.location : t('map.event')}`}),
    el('ul', {class: 'kv'},
      el('li', {text: `${t('map.date')}: ${when}`}),
      el('li', {text: `${t('map.category')}: ${label('category', p.category)}`}),
      actors ? el('li', {text: `${t('map.actors')}: ${actors}`}) : null,
      el('li', {text: `${t('map.deaths')}: ${fmt(Number(p.fatalities_best))} (${fmt(Number(p.fatalities_low))}–${fmt(Number(p.fatalities_high))})`}),
      el('li', {text: `${t('map.precision')}: ${label('precision', p.geo_precision)}`}),
      el('li', {class: 'muted', text: `${sourceName(p.source)} ${p.event_uid}`})));
  new maplibregl.Popup({maxWidth: '300px'}).setLngLat(e.lngLat).setDOMContent(content).addTo(map);
}

