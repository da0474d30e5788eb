// The claims page: every published claim with its verdict; open one (or follow /claims?id=…)
// to read its quote, source document and evidence table.

import {
  apiUrl, clear, csvUrl, el, fmt, getJson, humanise, readState, showEmpty, showError, showLoading,
  sourceLine, sourceName, startPage, t, tOr, writeState,
} from './common.js';

const DEFAULTS = {id: '', verdict: ''};
const state = readState(DEFAULTS);
const ui = {};
const opened = new Map();
window.sahel = {claims: {}};

startPage('claims', async () => {
  for (const id of ['claims', 'claims-source', 'claims-count', 'verdict']) ui[id] = document.getElementById(id);
  const url = apiUrl('/claims');
  showLoading(ui.claims);
  let body;
  try {
    body = await getJson(url);
  } catch (error) {
    showError(ui.claims, error);
    return;
  }
  const rows = body.data;
  clear(ui.claims);
  if (!rows.length) {
    showEmpty(ui.claims, t('claims.none'), t('claims.none_hint'));
  }
  fillFilter(rows);
  for (const row of rows) ui.claims.append(claimItem(row));
  applyFilter();
  sourceLine(ui['claims-source'], body, {csv: url});
  window.sahel.claims.list = {url, rows: rows.length};
  if (state.id) {
    const target = document.getElementById(`claim-${state.id}`);
    if (target) {
      const details = target.querySelector('details');
      details.open = true;
      await openClaim(state.id, target);
      target.classList.add('target');
      target.scrollIntoView({block: 'start'});
    } else {
      document.getElementById('page-status').append(el('p', {class: 'notice',
        text: t('claims.unknown', {id: state.id})}));
    }
  }
});

/** "partly supported" -> the badge's colour class. */
export function verdictClass(verdict) {
  const v = String(verdict || '').toLowerCase();
  if (v.startsWith('supported')) return 'v-supported';
  if (v.startsWith('partly')) return 'v-partly';
  if (v.startsWith('contradicted')) return 'v-contradicted';
  if (v.includes('testable') || v.includes('not measured') || v.includes('unknown')) return 'v-untestable';
  return 'v-other';
}

function badge(verdict) {
  return el('span', {class: `badge ${verdictClass(verdict)}`, text: tOr(`verdict.${verdict}`, humanise(verdict))});
}

function fillFilter(rows) {
  const counts = new Map();
  for (const r of rows) counts.set(r.verdict, (counts.get(r.verdict) || 0) + 1);
  ui.verdict.append(el('option', {value: '', text: t('claims.all', {n: rows.length})}));
  for (const [verdict, n] of counts) {
    ui.verdict.append(el('option', {value: verdict, text: `${tOr(`verdict.${verdict}`, humanise(verdict))} (${n})`}));
  }
  if (![...ui.verdict.options].some((o) => o.value === state.verdict)) state.verdict = '';
  ui.verdict.value = state.verdict;
  ui.verdict.addEventListener('change', () => {
    state.verdict = ui.verdict.value;
    writeState(state);
    applyFilter();
  });
}

function applyFilter() {
  let shown = 0;
  for (const item of ui.claims.querySelectorAll('.claim')) {
    const hide = state.verdict && item.dataset.verdict !== state.verdict;
    item.hidden = Boolean(hide);
    if (!hide) shown += 1;
  }
  ui['claims-count'].textContent = t('claims.count', {n: shown});
}

function claimItem(row) {
  const body = el('div', {class: 'claim-body'});
  const details = el('details', {},
    el('summary', {},
      badge(row.verdict),
      el('span', {class: 'claim-text', text: row.text}),
      el('span', {class: 'claim-summary', text: `${row.summary} · ${t('claims.document', {doc: row.document})} · ${humanise(row.kind)}`})),
    body);
  const item = el('li', {class: 'claim', id: `claim-${row.id}`, dataset: {id: row.id, verdict: row.verdict}}, details);
  details.addEventListener('toggle', () => {
    if (details.open) {
      state.id = row.id;
      writeState(state);
      openClaim(row.id, item);
    } else if (state.id === row.id) {
      state.id = '';
      writeState(state);
    }
  });
  return item;
}

async function openClaim(id, item) {
  if (opened.has(id)) return opened.get(id);
  const body = item.querySelector('.claim-body');
  const url = apiUrl(`/claims/${encodeURIComponent(id)}`);
  showLoading(body);
  const job = getJson(url).then((doc) => {
    renderClaim(body, doc, url);
    window.sahel.claims[id] = {url, evidence: doc.evidence.length};
    item.dataset.loaded = 'true';
  }).catch((error) => {
    opened.delete(id);
    showError(body, error);
  });
  opened.set(id, job);
  return job;
}

function renderClaim(box, doc, url) {
  clear(box);
  const src = doc.source_document || {};
  const link = new URL(`/claims?id=${encodeURIComponent(doc.id)}`, location.origin).toString();
  box.append(
    el('p', {class: 'permalink'}, el('a', {href: `/claims?id=${encodeURIComponent(doc.id)}`, text: t('claims.permalink')}),
      ' ', el('span', {class: 'muted', text: link})),
    doc.quote ? el('blockquote', {text: `“${doc.quote}”`}) : null,
    el('p', {}, el('strong', {text: `${t('claims.source_document')}: `}), src.citation || doc.document,
      src.url ? el('span', {}, ' — ', el('a', {href: src.url, rel: 'noopener noreferrer', text: src.url})) : null,
      doc.written ? el('span', {class: 'muted', text: ` (${t('claims.written', {date: doc.written})})`}) : null),
    el('p', {}, el('strong', {text: `${t('claims.verdict')}: `}), badge(doc.verdict), ' ', doc.summary),
    doc.closest_definition ? el('p', {}, el('strong', {text: `${t('claims.closest')}: `}), doc.closest_definition) : null,
    doc.needs ? el('p', {class: 'muted'}, el('strong', {text: `${t('claims.needs')}: `}), doc.needs) : null,
    el('h3', {text: t('claims.evidence', {n: doc.evidence.length})}),
    evidenceTable(doc.evidence));
  const source = el('div');
  sourceLine(source, doc, {csv: null});
  source.querySelector('.downloads').append(el('a', {href: url, class: 'json-link', text: t('claims.json')}),
    ' ', el('a', {href: csvUrl(apiUrl('/claims')), class: 'csv-link',
      download: '', text: t('claims.list_csv')}));
  const cites = (doc.provenance && doc.provenance.citations) || [];
  box.append(el('h3', {text: t('claims.sources')}),
    el('ul', {class: 'cite-list small'}, cites.map((c) => el('li', {text: c}))), source);
}

function evidenceTable(evidence) {
  const cols = ['definition', 'filters', 'values', 'stat', 'verdict', 'note', 'snapshots'];
  const cell = (col, attrs, ...children) => el('td', {...attrs, 'data-label': t(`claims.col_${col}`)}, ...children);
  const rows = evidence.map((e) => el('tr', {},
    cell('definition', {class: 'wrap'}, el('strong', {text: e.definition}), el('br'),
      el('span', {class: 'muted small', text: basisText(e.basis)})),
    cell('filters', {class: 'wrap small'}, el('ul', {class: 'kv'},
      String(e.filters || '').split(';').map((f) => f.trim()).filter(Boolean).map((f) => el('li', {text: f})))),
    cell('values', {class: 'wrap'}, valuesList(e.values)),
    cell('stat', {class: 'wrap'}, statList(e.stat)),
    cell('verdict', {}, badge(e.verdict)),
    cell('note', {class: 'wrap small', text: e.note || ''}),
    cell('snapshots', {class: 'small', text: [
      (e.snapshots || []).length ? t('claims.snapshots', {ids: e.snapshots.join(', ')}) : '',
      (e.versions || []).length ? t('claims.versions', {v: e.versions.join(', ')}) : ''].filter(Boolean).join('; ') || '–'})));
  return el('div', {class: 'table-wrap'}, el('table', {class: 'evidence'},
    el('thead', {}, el('tr', {}, cols.map((c) => el('th', {text: t(`claims.col_${c}`)})))),
    el('tbody', {}, rows)));
}

function basisText(basis) {
  const [kind, what] = String(basis || '').split(':');
  if (kind === 'events') return t('claims.basis_events', {source: sourceName(what)});
  if (kind === 'series') return t('claims.basis_series', {series: what});
  if (kind === 'registry') return t('claims.basis_registry');
  return basis || '';
}

function number(v) {
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? fmt(v) : fmt(v, Math.abs(v) < 10 ? 3 : 1);
}

function valuesList(values) {
  if (!values || typeof values !== 'object') return document.createTextNode(values === undefined ? '' : String(values));
  const list = el('ul', {class: 'kv'});
  for (const [key, v] of Object.entries(values)) {
    let text;
    if (v && typeof v === 'object' && 'best' in v && v.covered === false) {
      text = `${t('claims.not_covered')}${v.coverage ? ` (${v.coverage})` : ''}`;
    } else if (v && typeof v === 'object' && 'best' in v) {
      text = v.low !== v.high ? `${number(v.best)} (${number(v.low)}–${number(v.high)})` : number(v.best);
    } else if (v && typeof v === 'object' && ('summary' in v || 'label' in v)) {
      text = v.summary || v.label;
    } else if (v && typeof v === 'object') {
      text = Object.entries(v).map(([k, x]) => `${humanise(k)}: ${Array.isArray(x) ? x.join(', ') : number(x)}`).join('; ');
    } else {
      text = number(v);
    }
    list.append(el('li', {}, el('strong', {text: `${key}: `}), text));
  }
  return list;
}

function statList(stat) {
  if (!stat || typeof stat !== 'object' || !Object.values(stat).some((v) => v !== null && v !== undefined)) {
    return document.createTextNode('');
  }
  const list = el('ul', {class: 'kv'});
  for (const [key, v] of Object.entries(stat)) {
    if (v === null || v === undefined) continue;
    const text = Array.isArray(v) ? v.map(number).join(', ')
      : typeof v === 'object' ? JSON.stringify(v) : number(v);
    list.append(el('li', {}, el('span', {class: 'muted', text: `${humanise(key)}: `}), text));
  }
  return list;
}
