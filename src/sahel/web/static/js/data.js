// The data page: citations, downloads, coverage, snapshots and series — each table drawn from
// one API request, with its CSV link.

import {
  apiUrl, clear, countryName, csvUrl, el, fmt, getJson, showError, sourceLine, sourceName,
  startPage, t,
} from './common.js';

const ui = {};
window.sahel = {tables: {}};

startPage('data', async (index) => {
  for (const id of ['citations', 'citations-source', 'download-links', 'coverage', 'coverage-source',
    'snapshots', 'snapshots-source', 'series', 'series-source']) {
    ui[id] = document.getElementById(id);
  }
  downloads(index);
  await Promise.all([
    table('/citations', ui.citations, ui['citations-source'], citations),
    table('/coverage', ui.coverage, ui['coverage-source'], coverage),
    table('/snapshots', ui.snapshots, ui['snapshots-source'], snapshots),
    table('/series', ui.series, ui['series-source'], series),
  ]);
});

async function table(path, target, source, draw) {
  const url = apiUrl(path);
  try {
    const body = await getJson(url);
    draw(target, body.data);
    sourceLine(source, body, {csv: url});
    window.sahel.tables[path] = {url, rows: body.data.length};
  } catch (error) {
    const cell = target.tagName === 'TBODY' ? target.parentNode.parentNode : target;
    showError(cell, error);
  }
}

function citations(target, rows) {
  clear(target);
  for (const r of rows) {
    target.append(el('li', {}, el('strong', {text: `${sourceName(r.name)}: `}), r.cite));
  }
}

/** Coverage rows grouped by source and span (the candidate file covers dozens of countries
 * for the same month: one line, not fifty). */
function coverage(target, rows) {
  clear(target);
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.source}|${r.first_day}|${r.last_day}`;
    if (!groups.has(key)) groups.set(key, {...r, countries: []});
    groups.get(key).countries.push(r.country_iso3);
  }
  const order = ['ucdp_ged', 'ucdp_candidate', 'acled'];
  const sorted = [...groups.values()].sort((a, b) => (order.indexOf(a.source) - order.indexOf(b.source))
    || a.first_day.localeCompare(b.first_day));
  for (const g of sorted) {
    const names = g.countries.map(countryName).sort((a, b) => a.localeCompare(b));
    target.append(el('tr', {},
      el('td', {text: sourceName(g.source)}), el('td', {class: 'num', text: String(g.first_day).slice(0, 10)}),
      el('td', {class: 'num', text: String(g.last_day).slice(0, 10)}),
      el('td', {class: 'wrap', text: names.length > 12
        ? `${t('data.n_countries', {n: names.length})}: ${names.join(', ')}` : names.join(', ')})));
  }
}

function snapshots(target, rows) {
  clear(target);
  for (const r of rows) {
    target.append(el('tr', {},
      el('td', {class: 'num', text: r.snapshot_id}),
      el('td', {text: sourceName(r.source)}),
      el('td', {class: 'wrap', text: r.source_version, title: r.version_basis || ''}),
      el('td', {class: 'wrap small', text: r.file_name}),
      el('td', {class: 'num', text: fmt(r.rows_loaded)}),
      el('td', {class: 'num', text: `${fmt(r.events_new)} / ${fmt(r.events_revised)} / ${fmt(r.events_deleted)}`}),
      el('td', {class: 'small', text: String(r.ingested_at || '').slice(0, 16)}),
      el('td', {class: 'wrap small', text: r.warnings || '–'})));
  }
}

function series(target, rows) {
  clear(target);
  for (const r of rows) {
    const definition = el('details', {}, el('summary', {text: t('data.definition')}),
      el('p', {class: 'small', text: r.definition}));
    target.append(el('tr', {},
      el('td', {class: 'wrap'}, el('code', {text: r.series})),
      el('td', {text: r.unit}),
      el('td', {text: r.period}),
      el('td', {class: 'num', text: fmt(r.countries)}),
      el('td', {class: 'num', text: `${r.first} – ${r.last}`}),
      el('td', {class: 'wrap small', text: r.licence}),
      el('td', {class: 'wrap small'}, definition)));
  }
}

function downloads(index) {
  const examples = [
    [t('data.ex_country_year'), apiUrl('/aggregates', {country: 'MLI,BFA,NER', period: 'year'})],
    [t('data.ex_admin1'), apiUrl('/aggregates', {country: 'MLI', unit: 'admin1', period: 'year'})],
    [t('data.ex_series'), apiUrl('/series/ucdp_pace_deaths_best', {country: 'MLI,BFA,NER', by: 'year'})],
    [t('data.ex_claims'), apiUrl('/claims')],
    [t(index.public ? 'data.ex_events_public' : 'data.ex_events'),
      apiUrl('/events', {country: 'MLI', start: '2023-01', end: '2023-03', source: index.public ? 'ucdp' : null})],
  ];
  clear(ui['download-links']);
  for (const [text, url] of examples) {
    const parquet = `${url}${url.includes('?') ? '&' : '?'}f=parquet`;
    ui['download-links'].append(el('li', {}, `${text}: `,
      el('a', {href: csvUrl(url), download: '', text: 'CSV'}), ' · ',
      el('a', {href: parquet, download: '', text: 'Parquet'}), ' · ',
      el('a', {href: url, text: 'JSON'}), ' ', el('code', {text: decodeURIComponent(url)})));
  }
}
