// Shared by every dashboard page: words (message catalogue), the API client, URL state, the
// header and footer, loading/empty/error states, and the source line under every chart.
//
// No framework and no build step: plain ES modules served as static files. Nothing here writes
// HTML from data (textContent only), and no style attribute is ever parsed (the CSP forbids it):
// styles are classes, or CSSOM properties set from script.

let MESSAGES = {};
let LANG = 'en';

/** Load the message catalogue (static/i18n/<lang>.json; English is the fallback). */
export async function loadMessages() {
  const asked = new URLSearchParams(location.search).get('lang') || document.documentElement.lang || 'en';
  const base = await fetchJson('/static/i18n/en.json');
  MESSAGES = base;
  if (asked !== 'en' && /^[a-z]{2}$/.test(asked)) {
    try {
      MESSAGES = {...base, ...(await fetchJson(`/static/i18n/${asked}.json`))};
      LANG = asked;
    } catch (_) { /* no catalogue for this language yet: English */ }
  }
  document.documentElement.lang = LANG;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    const text = MESSAGES[node.dataset.i18n];
    if (text !== undefined) node.textContent = text;
  }
  for (const node of document.querySelectorAll('[data-i18n-label]')) {
    const text = MESSAGES[node.dataset.i18nLabel];
    if (text !== undefined) node.setAttribute('aria-label', text);
  }
}

async function fetchJson(url) {
  const r = await fetch(url, {headers: {Accept: 'application/json'}});
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

/** The words for ``key``, with ``{name}`` placeholders filled from ``vars``. */
export function t(key, vars = {}) {
  let text = MESSAGES[key];
  if (text === undefined) text = key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A message if the catalogue has it, else ``fallback`` (for open vocabularies). */
export function tOr(key, fallback) {
  return MESSAGES[key] !== undefined ? MESSAGES[key] : fallback;
}

export function lang() { return LANG; }

/** The locale for numbers and dates: British English writes days before months, as French does. */
function locale() { return LANG === 'en' ? 'en-GB' : LANG; }

const NUMBER = new Map();
/** A number for people: thousands separators, at most ``digits`` decimals; '–' for none. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const key = `${LANG}:${digits}`;
  if (!NUMBER.has(key)) {
    NUMBER.set(key, new Intl.NumberFormat(locale(), {maximumFractionDigits: digits}));
  }
  return NUMBER.get(key).format(value);
}

/** "state_forces" -> "State forces" (a vocabulary word the catalogue does not have). */
export function humanise(word) {
  const text = String(word ?? '').replace(/_/g, ' ').trim();
  return text ? text[0].toUpperCase() + text.slice(1) : '';
}

/** A label for a value of an open vocabulary (``kind``: category, perpetrator, tie, bloc…). */
export function label(kind, value) {
  return tOr(`${kind}.${value}`, humanise(value));
}

export function countryName(iso3) {
  return tOr(`country.${iso3}`, iso3);
}

export function sourceName(source) {
  return tOr(`source.${source}`, source);
}

const MONTHS = new Map();
/** "2023-09" -> "Sep 2023"; "2023-09-16" -> "16 Sep 2023". */
export function monthLabel(text) {
  if (!text) return '';
  const [y, m, d] = String(text).split('-').map(Number);
  if (!m) return String(y);
  const key = `${LANG}:${d ? 'd' : 'm'}`;
  if (!MONTHS.has(key)) {
    MONTHS.set(key, new Intl.DateTimeFormat(locale(), {year: 'numeric', month: 'short',
      ...(d ? {day: 'numeric'} : {}), timeZone: 'UTC'}));
  }
  return MONTHS.get(key).format(new Date(Date.UTC(y, m - 1, d || 1)));
}

// --- DOM ----------------------------------------------------------------------------------

/** ``el('a', {href: '/x', class: 'y'}, 'text', child)``: an element; text is never parsed. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function debounce(fn, ms = 150) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// --- the API ------------------------------------------------------------------------------

/** An error the API answered with (``error.message`` + ``error.hint``), or a network failure. */
export class ApiError extends Error {
  constructor(message, {hint = '', status = 0, field = '', url = ''} = {}) {
    super(message);
    this.hint = hint;
    this.status = status;
    this.field = field;
    this.url = url;
  }
}

/** ``/api/v1/<path>?<params>``; empty values are left out, arrays become comma lists. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '') continue;
    query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  const text = query.toString();
  return `/api/v1${path}${text ? `?${text}` : ''}`;
}

/** The same request as ``url``, as CSV (the chart's figures, with provenance lines on top). */
export function csvUrl(url) {
  const [path, query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  params.set('f', 'csv');
  return `${path}?${params.toString()}`;
}

const CACHE = new Map();

/** GET ``url`` (an /api/v1 URL) as JSON; the short citation header is kept as ``_citation``.
 * Failures throw :class:`ApiError` with the API's message and hint — never a stack trace. */
export function getJson(url) {
  if (!CACHE.has(url)) {
    const pending = (async () => {
      let response;
      try {
        response = await fetch(url, {headers: {Accept: 'application/json'}});
      } catch (_) {
        throw new ApiError(t('error.unreachable'), {hint: t('error.unreachable_hint'), url});
      }
      let body = null;
      try {
        body = await response.json();
      } catch (_) {
        body = null;
      }
      if (!response.ok || body === null) {
        const error = (body && body.error) || {};
        throw new ApiError(error.message || t('error.status', {status: response.status}),
          {hint: error.hint || '', status: response.status, field: error.field || '', url});
      }
      body._citation = response.headers.get('X-Sahel-Citation') || '';
      body._url = url;
      return body;
    })();
    CACHE.set(url, pending);
    pending.catch(() => CACHE.delete(url));
  }
  return CACHE.get(url);
}

export function api(path, params = {}) {
  return getJson(apiUrl(path, params));
}

/** /api/v1: store state, sources, public or local. */
export function apiIndex() {
  return getJson('/api/v1');
}

// --- URL state ----------------------------------------------------------------------------

/** The page's state from its URL: ``spec`` maps each key to its default (string or number). */
export function readState(spec) {
  const query = new URLSearchParams(location.search);
  const state = {};
  for (const [key, fallback] of Object.entries(spec)) {
    const raw = query.get(key);
    if (raw === null || raw === '') state[key] = fallback;
    else if (typeof fallback === 'number') state[key] = Number.isFinite(Number(raw)) ? Number(raw) : fallback;
    else state[key] = raw;
  }
  return state;
}

/** Put ``state`` in the URL (history.replaceState): reloading or sharing it gives this view. */
export function writeState(state) {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(state)) {
    if (value === null || value === undefined || value === '') query.delete(key);
    else query.set(key, String(value));
  }
  const text = query.toString();
  const url = `${location.pathname}${text ? `?${text}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history.replaceState(null, '', url);
  }
}

// --- page chrome --------------------------------------------------------------------------

const PAGES = ['map', 'country', 'network', 'claims', 'data'];

/** The shared header (title, nav) and footer (data licences, store state). */
export async function chrome(page) {
  const header = document.getElementById('site-header');
  const nav = el('nav', {'aria-label': t('nav.label')},
    el('ul', {}, PAGES.map((name) => el('li', {},
      el('a', {href: `/${name}`, 'aria-current': name === page ? 'page' : null,
        text: t(`nav.${name}`)})))));
  clear(header).append(
    el('a', {class: 'brand', href: '/map'}, el('span', {class: 'brand-mark', 'aria-hidden': 'true'}),
      el('span', {text: t('site.title')})),
    nav);
  const footer = document.getElementById('site-footer');
  const state = el('span', {class: 'store-state', text: t('footer.loading')});
  clear(footer).append(
    el('p', {}, t('footer.data'), ' ', el('a', {href: '/data', text: t('footer.cite')})),
    el('p', {}, state));
  try {
    const index = await apiIndex();
    state.textContent = t(index.public ? 'footer.state_public' : 'footer.state_local',
      {state: index.store_state, snapshots: fmt(index.snapshots)});
    footer.dataset.storeState = index.store_state;
    return index;
  } catch (error) {
    state.textContent = `${error.message}${error.hint ? ` — ${error.hint}` : ''}`;
    throw error;
  }
}

// --- states of a chart --------------------------------------------------------------------

/** Show a loading, empty or error box in ``node`` (replacing its content). */
export function showStatus(node, kind, message, hint = '') {
  clear(node);
  const box = el('div', {class: `status status-${kind}`, role: kind === 'error' ? 'alert' : 'status'},
    el('p', {class: 'status-message', text: message}),
    hint ? el('p', {class: 'status-hint', text: hint}) : null);
  node.append(box);
  return box;
}

export function showLoading(node, what = '') {
  return showStatus(node, 'loading', what || t('status.loading'));
}

export function showError(node, error) {
  if (error instanceof ApiError) return showStatus(node, 'error', error.message, error.hint);
  // a bug of the page itself: say so plainly, with no stack trace
  console.error(error);
  return showStatus(node, 'error', t('error.page'), t('error.page_hint'));
}

export function showEmpty(node, message, hint = '') {
  return showStatus(node, 'empty', message, hint);
}

// --- the source line under each chart -----------------------------------------------------

/** Under a chart: where its figures come from (sources, versions, snapshots, citation) and the
 * CSV of exactly those figures (the same API request with f=csv). */
export function sourceLine(node, body, {csv = null, registry = false, extra = null} = {}) {
  clear(node);
  const prov = (body && body.provenance) || {};
  const parts = [];
  if (registry) {
    parts.push(el('span', {text: t('source.registry_line')}));
  } else {
    const sources = (prov.sources || []).map(sourceName).join(', ');
    if (sources) parts.push(el('span', {text: t('source.sources', {sources})}));
    if ((prov.versions || []).length) {
      parts.push(el('span', {text: t('source.versions', {versions: prov.versions.join(', ')})}));
    }
    const snaps = (prov.snapshots || []).map((s) => s.snapshot_id);
    if (snaps.length) parts.push(el('span', {text: t('source.snapshots', {ids: snaps.join(', ')})}));
    const cite = (body && body._citation) || (prov.citations || []).join(' ');
    if (cite) parts.push(el('span', {class: 'cite', text: t('source.cite', {cite})}));
  }
  if (extra) parts.push(el('span', {text: extra}));
  const line = el('p', {class: 'source-line'});
  parts.forEach((part, i) => {
    if (i) line.append(' · ');
    line.append(part);
  });
  const links = el('p', {class: 'downloads'});
  if (csv) {
    links.append(el('a', {class: 'csv-link', href: csvUrl(csv), download: '',
      text: t('source.csv')}), ' ',
    el('a', {class: 'json-link', href: csv, text: t('source.json')}));
  }
  node.append(line, links);
  if (body && body.provenance) node.dataset.storeState = body.provenance.store_state || '';
}

/** Notes the API attached to an answer, as a small list (or nothing). */
export function notesList(notes) {
  if (!notes || !notes.length) return null;
  return el('ul', {class: 'notes'}, notes.map((note) => el('li', {text: note})));
}

/** Start a page: words, header/footer; run ``main(index)``; a failure is shown, not thrown. */
export async function startPage(page, main) {
  document.body.classList.add('js');
  try {
    await loadMessages();
  } catch (_) { /* words fall back to their keys; the page still works */ }
  let index = null;
  try {
    index = await chrome(page);
  } catch (error) {
    const where = document.getElementById('page-status') || document.querySelector('main');
    showError(where, error);
    document.body.dataset.ready = 'error';
    return;
  }
  try {
    await main(index);
  } catch (error) {
    showError(document.getElementById('page-status') || document.querySelector('main'), error);
  }
  document.body.dataset.ready = 'true';
}

/** A sequence guard: ``const take = guard(); … if (!take.current(id)) return;`` drops answers
 * that arrive after a newer request was made (a slider moved again meanwhile). */
export function sequence() {
  let last = 0;
  return {next: () => ++last, current: (id) => id === last};
}

/** Countries a page may offer: those any event source covers, the Sahel first. */
export const SAHEL = ['MLI', 'BFA', 'NER', 'TCD', 'MRT', 'SEN', 'GMB', 'GNB', 'GIN', 'CIV', 'GHA',
  'TGO', 'BEN', 'NGA', 'CMR'];

export async function coveredCountries() {
  const body = await api('/coverage');
  const found = new Map();
  for (const row of body.data) {
    if (!['ucdp_ged', 'ucdp_candidate', 'acled'].includes(row.source)) continue;
    const spans = found.get(row.country_iso3) || [];
    // days as YYYY-MM-DD (the JSON may carry a time of day)
    spans.push({...row, first_day: String(row.first_day).slice(0, 10), last_day: String(row.last_day).slice(0, 10)});
    found.set(row.country_iso3, spans);
  }
  return found;
}

/** A <select> of countries: the Sahel and West Africa first, the others after. */
export function countryOptions(select, covered, chosen) {
  clear(select);
  const codes = [...covered.keys()];
  const sahel = SAHEL.filter((c) => covered.has(c));
  const others = codes.filter((c) => !SAHEL.includes(c))
    .sort((a, b) => countryName(a).localeCompare(countryName(b), LANG));
  const group = (labelText, list) => el('optgroup', {label: labelText},
    list.map((code) => el('option', {value: code, selected: code === chosen, text: countryName(code)})));
  if (sahel.length) select.append(group(t('country.group_sahel'), sahel));
  if (others.length) select.append(group(t('country.group_other'), others));
  if (chosen && !covered.has(chosen)) {
    select.prepend(el('option', {value: chosen, selected: true, text: countryName(chosen)}));
  }
}

/** Years a source covers for some countries (from /coverage rows): [first, last]. */
export function coveredYears(covered, countries, source) {
  const parts = source === 'ucdp' ? ['ucdp_ged', 'ucdp_candidate'] : [source];
  let first = null;
  let last = null;
  for (const code of countries) {
    for (const row of covered.get(code) || []) {
      if (!parts.includes(row.source)) continue;
      const a = Number(row.first_day.slice(0, 4));
      const b = Number(row.last_day.slice(0, 4));
      first = first === null ? a : Math.min(first, a);
      last = last === null ? b : Math.max(last, b);
    }
  }
  return first === null ? null : [first, last];
}
