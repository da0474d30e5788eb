// The network page: the registry's ties active on a date (cytoscape), a monthly date slider,
// and the alignment timelines of Mali, Burkina Faso and Niger with dated system events.

import {
  apiUrl, clear, countryName, debounce, el, fmt, getJson, label, monthLabel, readState, sequence,
  showError, showLoading, sourceLine, startPage, t, writeState,
} from './common.js';
import {legend, monthSeconds, timeSeries} from './charts.js';

const DEFAULTS = {date: ''};
const FIRST_MONTH = '2010-01';
const STATES = ['MLI', 'BFA', 'NER'];
const STATE_COLOURS = {MLI: '#0f5c63', BFA: '#d1495b', NER: '#e09f3e'};

/** Tie types in families, one colour each (the legend lists the types). */
const FAMILIES = [
  ['presence', '#c0392b', ['basing', 'mission_deployment', 'troop_contribution', 'operation', 'pmc_deployment']],
  ['assistance', '#2e86ab', ['training', 'security_assistance', 'defence_cooperation', 'coordination', 'intelligence_sharing']],
  ['arms', '#7b2cbf', ['arms_transfer', 'drones']],
  ['alliance', '#2f8f46', ['alliance', 'defence_pact', 'membership', 'peace_agreement', 'mediation']],
  ['money', '#d08c00', ['funding', 'state_sponsorship']],
  ['rupture', '#4a4a4a', ['sanctions', 'suspension', 'withdrawal']],
];
const OTHER_TIE = '#9aa0a6';
const CLASS_STYLE = {
  north_south: {style: 'solid', width: 2.2, opacity: 0.9},
  south_south: {style: 'dashed', width: 2.2, opacity: 0.9},
  triangular: {style: 'dotted', width: 3, opacity: 0.95},
  ambiguous: {style: 'solid', width: 1, opacity: 0.45},
};
const BLOC_COLOURS = {western: '#2e5eaa', russia_turkey_gulf: '#c0392b', regional: '#f2c14e', aes: '#8c510a',
  multilateral: '#5aa9e6', other: '#8e8e8e', '': '#d6d6d6'};
const SHAPES = {north: 'round-rectangle', south: 'ellipse', mixed: 'diamond', ambiguous: 'diamond'};
const EVENT_KINDS = [
  ['coup', '#b3261e', ['coup', 'coup_attempt']],
  ['rupture', '#4a4a4a', ['withdrawal', 'agreement_termination', 'suspension', 'sanctions', 'mandate_end']],
  ['founding', '#2f8f46', ['treaty', 'founding', 'summit', 'sanctions_lifted']],
  ['deployment', '#2e86ab', ['deployment', 'mandate', 'military_operation']],
  ['attack', '#7b2cbf', ['attack']],
];
const OTHER_EVENT = '#d08c00';

const state = readState(DEFAULTS);
const ui = {};
const seq = sequence();
let months = [];
let cy = null;
let positions = new Map();
let events = [];
let alignmentChart = null;
let lastBody = null;
window.sahel = {renders: 0};

startPage('network', async () => {
  for (const id of ['date', 'date-prev', 'date-next', 'date-value', 'jump', 'graph', 'counts',
    'network-source', 'details', 'network-legend', 'ties-rows', 'ties-summary', 'alignment',
    'marks', 'mark-info', 'alignment-legend', 'alignment-source', 'events-source', 'realignment']) {
    ui[id] = document.getElementById(id);
  }
  drawLegend();
  showLoading(ui.alignment);
  const alignUrl = apiUrl('/registry/alignment', {state: STATES.join(',')});
  const eventsUrl = apiUrl('/registry/events');
  const [align, evs] = await Promise.allSettled([getJson(alignUrl), getJson(eventsUrl)]);
  // the slider's months: 2010-01 to the registry's current month (the alignment's last month)
  const last = align.status === 'fulfilled' && align.value.data.length
    ? align.value.data.map((r) => r.month).sort().pop() : new Date().toISOString().slice(0, 7);
  months = monthRange(FIRST_MONTH, last);
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(state.date)) state.date = `${last}-01`;
  if (state.date.length === 7) state.date = `${state.date}-01`;
  events = evs.status === 'fulfilled' ? sahelEvents(evs.value.data, last) : [];
  fillJump();
  wireSlider();
  syncSlider();
  if (align.status === 'fulfilled') {
    drawAlignment(align.value, alignUrl);
  } else {
    showError(ui.alignment, align.reason);
  }
  if (evs.status === 'fulfilled') {
    sourceLine(ui['events-source'], evs.value, {csv: eventsUrl, registry: true,
      extra: t('network.events_csv_note')});
  } else {
    showError(ui['mark-info'], evs.reason);
  }
  await drawNetwork();
});

function monthRange(first, last) {
  const out = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

/** System events of Mali, Burkina Faso and Niger (or involving them), since 2010. */
function sahelEvents(rows, last) {
  const mine = /(^|[ ,])(mli|bfa|ner|aes|fu-aes|g5-sahel|g5-joint-force):/;
  return rows.filter((r) => r.day >= `${FIRST_MONTH}-01` && r.day.slice(0, 7) <= last
    && (STATES.includes(r.country) || mine.test(r.actors || '')));
}

function eventColour(type) {
  const kind = EVENT_KINDS.find(([, , types]) => types.includes(type));
  return kind ? kind[1] : OTHER_EVENT;
}

function tieColour(type) {
  const family = FAMILIES.find(([, , types]) => types.includes(type));
  return family ? family[1] : OTHER_TIE;
}

// --- slider ------------------------------------------------------------------------------

function fillJump() {
  clear(ui.jump);
  ui.jump.append(el('option', {value: '', text: t('network.jump_choose')}));
  for (const e of events) {
    ui.jump.append(el('option', {value: e.day, text: `${e.day} — ${e.title}`}));
  }
  ui.jump.addEventListener('change', () => {
    if (!ui.jump.value) return;
    setDate(ui.jump.value);
  });
}

function wireSlider() {
  ui.date.min = 0;
  ui.date.max = months.length - 1;
  const redraw = debounce(() => drawNetwork(), 150);
  ui.date.addEventListener('input', () => {
    state.date = `${months[Number(ui.date.value)]}-01`;
    ui['date-value'].textContent = monthLabel(state.date);
    ui.date.setAttribute('aria-valuetext', monthLabel(state.date));
    ui.jump.value = '';
    writeState(state);
    if (alignmentChart) alignmentChart.redraw(false, false);
    redraw();
  });
  const step = (delta) => {
    ui.date.value = Math.min(months.length - 1, Math.max(0, Number(ui.date.value) + delta));
    ui.date.dispatchEvent(new Event('input'));
  };
  ui['date-prev'].addEventListener('click', () => step(-1));
  ui['date-next'].addEventListener('click', () => step(1));
  document.getElementById('network-controls').addEventListener('submit', (e) => e.preventDefault());
}

function syncSlider() {
  const month = state.date.slice(0, 7);
  let i = months.indexOf(month);
  if (i < 0) i = month < months[0] ? 0 : months.length - 1;
  ui.date.value = i;
  ui['date-value'].textContent = monthLabel(state.date);
  ui.date.setAttribute('aria-valuetext', monthLabel(state.date));
}

function setDate(day) {
  state.date = day;
  syncSlider();
  writeState(state);
  if (alignmentChart) alignmentChart.redraw(false, false);
  drawNetwork();
}

// --- the graph ---------------------------------------------------------------------------

function shortName(node) {
  const name = node.name || node.id;
  if (name.length <= 24) return name;
  const abbr = name.match(/\(([^)]{2,14})\)\s*$/);
  if (abbr) return abbr[1];
  return `${name.slice(0, 22)}…`;
}

async function drawNetwork() {
  const id = seq.next();
  writeState(state);
  const url = apiUrl('/registry/network', {at: state.date});
  let body;
  try {
    body = await getJson(url);
  } catch (error) {
    if (!seq.current(id)) return;
    showError(ui.graph, error);
    cy = null;
    return;
  }
  if (!seq.current(id)) return;
  lastBody = body;
  const ties = new Map(body.ties.map((tie) => [tie.id, tie]));
  const elements = [];
  for (const n of body.nodes) {
    elements.push({group: 'nodes', data: {id: n.id, label: shortName(n), name: n.name, kind: n.kind,
      position: n.position, bloc: n.bloc || '', country: n.country,
      colour: BLOC_COLOURS[n.bloc || ''] || BLOC_COLOURS.other, shape: SHAPES[n.position] || 'ellipse'}});
  }
  body.edges.forEach((e, i) => {
    const tie = ties.get(e.tie) || {};
    const cls = CLASS_STYLE[tie.class] || CLASS_STYLE.ambiguous;
    elements.push({group: 'edges', data: {id: `e${i}:${e.tie}`, source: e.source, target: e.target,
      tie: e.tie, type: e.type, relation: e.relation, cls: tie.class || 'ambiguous',
      colour: tieColour(e.type), lineStyle: cls.style, width: cls.width, opacity: cls.opacity,
      arrow: ['provides', 'backs'].includes(e.relation) ? 'triangle' : 'none'}});
  });
  if (!cy) {
    clear(ui.graph);
    cy = window.cytoscape({
      container: ui.graph,
      elements,
      style: graphStyle(),
      layout: {name: 'preset'},
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
    });
    cy.on('tap', 'node', (evt) => showNode(evt.target));
    cy.on('tap', 'edge', (evt) => showTie(evt.target.data('tie')));
    window.sahel.cy = cy;
  } else {
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
    });
  }
  layout();
  drawCounts(body, url);
  drawTiesTable(body);
  window.sahel.renders += 1;
  window.sahel.network = {at: body.at, nodes: body.nodes.length, edges: body.edges.length, ties: body.ties.length};
  document.body.dataset.render = String(window.sahel.renders);
}

/** Force-directed layout that keeps actors where they were on the previous date. */
function layout() {
  let known = 0;
  cy.nodes().forEach((node) => {
    const p = positions.get(node.id());
    if (p) {
      node.position({...p});
      known += 1;
    } else {
      const friend = node.neighborhood('node').filter((n) => positions.has(n.id()))[0];
      if (friend) {
        const q = positions.get(friend.id());
        node.position({x: q.x + 30 * Math.cos(known), y: q.y + 30 * Math.sin(known)});
      }
    }
  });
  const run = cy.layout({name: 'cose', animate: false, randomize: known === 0, fit: true, padding: 24,
    nodeRepulsion: () => 5000, idealEdgeLength: () => 45, edgeElasticity: () => 100, gravity: 1.2,
    componentSpacing: 30, nestingFactor: 1.2, numIter: known === 0 ? 1500 : 500,
    nodeDimensionsIncludeLabels: true});
  run.run();
  cy.nodes().forEach((node) => positions.set(node.id(), {...node.position()}));
}

function graphStyle() {
  return [
    {selector: 'node', style: {
      'background-color': 'data(colour)', shape: 'data(shape)', width: 20, height: 20,
      'border-width': 1.5, 'border-color': '#1d2a30', label: 'data(label)', 'font-size': 12,
      'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': 90,
      color: '#1d2a30', 'text-background-color': '#ffffff', 'text-background-opacity': 0.7,
      'text-background-padding': 1, 'font-family': 'system-ui, DejaVu Sans, sans-serif'}},
    {selector: 'edge', style: {
      'line-color': 'data(colour)', 'line-style': 'data(lineStyle)', width: 'data(width)',
      opacity: 'data(opacity)', 'curve-style': 'bezier', 'target-arrow-shape': 'data(arrow)',
      'target-arrow-color': 'data(colour)', 'arrow-scale': 0.7}},
    {selector: 'edge[cls = "south_south"]', style: {'line-dash-pattern': [7, 4]}},
    {selector: 'edge[cls = "triangular"]', style: {'line-dash-pattern': [1, 3]}},
    {selector: '.faded', style: {opacity: 0.12}},
    {selector: '.focus', style: {'border-width': 3, 'border-color': '#f2a900', width: 4, 'z-index': 10}},
    {selector: 'node.focus', style: {width: 26, height: 26}},
  ];
}

function focus(collection) {
  cy.elements().removeClass('focus faded');
  if (!collection || collection.empty()) return;
  const near = collection.union(collection.connectedNodes()).union(collection.connectedEdges());
  cy.elements().not(near).addClass('faded');
  collection.addClass('focus');
}

function showNode(node) {
  focus(node);
  const d = node.data();
  const ties = new Set(node.connectedEdges().map((e) => e.data('tie')));
  const byId = new Map(lastBody.ties.map((tie) => [tie.id, tie]));
  clear(ui.details).append(el('h2', {text: d.name}),
    el('dl', {},
      el('dt', {text: t('network.kind')}), el('dd', {text: label('kind', d.kind)}),
      el('dt', {text: t('network.position')}), el('dd', {text: label('position', d.position)}),
      el('dt', {text: t('network.bloc')}), el('dd', {text: d.bloc ? label('bloc', d.bloc) : t('network.no_bloc')}),
      d.country ? el('dt', {text: t('control.country')}) : null, d.country ? el('dd', {text: countryName(d.country)}) : null),
    el('h3', {text: t('network.node_ties', {n: ties.size})}),
    el('ul', {}, [...ties].map((tid) => {
      const tie = byId.get(tid) || {id: tid, label: tid};
      return el('li', {}, el('button', {type: 'button', class: 'link-button', text: tie.label || tid,
        onclick: () => showTie(tid)}));
    })));
}

function showTie(tieId) {
  const tie = (lastBody.ties || []).find((x) => x.id === tieId);
  if (!tie) return;
  focus(cy.edges().filter((e) => e.data('tie') === tieId));
  const parties = (tie.parties || []).map((p) => `${p.actor} (${label('role', p.role)})`).join(', ');
  clear(ui.details).append(el('h2', {text: tie.label || tie.id}),
    el('dl', {},
      el('dt', {text: t('network.col_type')}), el('dd', {text: label('tie', tie.type)}),
      el('dt', {text: t('network.col_class')}), el('dd', {text: `${label('class', tie.class)} — ${tie.class_reason || ''}`}),
      el('dt', {text: t('network.col_parties')}), el('dd', {text: parties}),
      el('dt', {text: t('network.col_dates')}), el('dd', {text: tieDates(tie)}),
      el('dt', {text: t('network.status')}), el('dd', {text: label('status', tie.status)}),
      tie.horizontality !== null && tie.horizontality !== undefined ? el('dt', {text: t('network.horizontality')}) : null,
      tie.horizontality !== null && tie.horizontality !== undefined ? el('dd', {text: fmt(tie.horizontality, 2)}) : null),
    el('h3', {text: t('network.sources')}),
    el('ul', {}, (tie.sources || []).map((s) => el('li', {text: s}))));
}

function tieDates(tie) {
  return `${tie.start || '?'} – ${tie.end || t('network.ongoing')}`;
}

function drawCounts(body, url) {
  clear(ui.counts).append(t('network.counts', {date: monthLabel(body.at), actors: fmt(body.nodes.length),
    ties: fmt(body.ties.length), lines: fmt(body.edges.length)}));
  const csv = apiUrl('/registry/ties', {at: body.at});
  sourceLine(ui['network-source'], body, {csv, registry: true});
  const links = ui['network-source'].querySelector('.downloads');
  links.append(' ', el('a', {href: url, class: 'network-json', text: t('network.json')}));
}

function drawTiesTable(body) {
  const rows = clear(ui['ties-rows']);
  ui['ties-summary'].textContent = t('network.ties_table_n', {n: fmt(body.ties.length), date: monthLabel(body.at)});
  for (const tie of body.ties) {
    rows.append(el('tr', {},
      el('td', {}, el('button', {type: 'button', class: 'link-button', text: tie.label || tie.id,
        onclick: () => showTie(tie.id)})),
      el('td', {text: label('tie', tie.type)}),
      el('td', {text: label('class', tie.class)}),
      el('td', {class: 'wrap', text: (tie.parties || []).map((p) => p.actor).join(', ')}),
      el('td', {text: tieDates(tie)})));
  }
}

function drawLegend() {
  const box = clear(document.getElementById('network-legend'));
  box.append(el('h2', {text: t('map.legend')}));
  box.append(el('h3', {text: t('network.legend_ties')}));
  const families = el('ul');
  for (const [key, colour, types] of FAMILIES) {
    const mark = el('span', {class: 'swatch line', 'aria-hidden': 'true'});
    mark.style.borderTopColor = colour;
    families.append(el('li', {}, mark, el('span', {},
      el('strong', {text: t(`network.family_${key}`)}), ' ', el('span', {class: 'muted',
        text: `(${types.map((x) => label('tie', x).toLowerCase()).join(', ')})`}))));
  }
  box.append(families);
  box.append(el('h3', {text: t('network.legend_class')}));
  const classes = el('ul');
  for (const [key, kind] of [['north_south', 'line'], ['south_south', 'line dashed'],
    ['triangular', 'line dotted'], ['ambiguous', 'line']]) {
    const mark = el('span', {class: `swatch ${kind}`, 'aria-hidden': 'true'});
    mark.style.borderTopColor = key === 'ambiguous' ? '#b8bcc0' : '#1d2a30';
    if (key === 'ambiguous') mark.style.borderTopWidth = '1px';
    classes.append(el('li', {}, mark, el('span', {text: t(`network.class_${key}`)})));
  }
  box.append(classes);
  box.append(el('p', {class: 'small muted', text: t('network.arrow_note')}));
  box.append(el('h3', {text: t('network.legend_nodes')}));
  const blocs = el('ul');
  for (const [bloc, colour] of Object.entries(BLOC_COLOURS)) {
    const mark = el('span', {class: 'swatch dot', 'aria-hidden': 'true'});
    mark.style.background = colour;
    blocs.append(el('li', {}, mark, el('span', {text: bloc ? label('bloc', bloc) : t('network.no_bloc')})));
  }
  box.append(blocs);
  box.append(el('p', {class: 'small', text: t('network.shape_note')}));
}

// --- alignment timelines -----------------------------------------------------------------

function drawAlignment(body, url) {
  const rows = body.data;
  const xs = [...new Set(rows.map((r) => r.month))].sort();
  const at = new Map(xs.map((m, i) => [m, i]));
  const series = STATES.filter((s) => rows.some((r) => r.state === s)).map((code) => {
    const values = xs.map(() => null);
    for (const r of rows) if (r.state === code) values[at.get(r.month)] = r.alignment_index;
    return {name: countryName(code), values, colour: STATE_COLOURS[code], digits: 2};
  });
  clear(ui.alignment);
  alignmentChart = timeSeries(ui.alignment, {x: 'month', xs, series, yRange: [-1.05, 1.05],
    yLabel: t('network.alignment_axis'), height: 280, ariaLabel: t('network.alignment'),
    yFormat: (v) => (v > 0 ? `+${fmt(v, 1)}` : fmt(v, 1)),
    lines: () => [{x: state.date.slice(0, 7), colour: '#1d2a30', dash: [4, 3], width: 1.5}],
    onLayout: (u) => placeMarks(u)});
  // the event dots go right under the time axis, above uPlot's legend
  alignmentChart.root.querySelector('.u-wrap').after(ui.marks);
  placeMarks(alignmentChart);
  const re = body.realignment || {};
  ui.realignment.textContent = Object.keys(re).length
    ? t('network.realignment', {list: Object.entries(re).map(([code, m]) => `${countryName(code)} ${monthLabel(m)}`).join(', ')})
    : '';
  ui['alignment-legend'].append(legend([
    ...series.map((s) => ({colour: s.colour, text: s.name, kind: 'line'})),
    {colour: '#1d2a30', text: t('network.date_line'), kind: 'line dashed'},
  ]));
  ui['alignment-legend'].append(legend(EVENT_KINDS.map(([key, colour]) => ({colour, text: t(`network.event_${key}`), kind: 'dot'}))));
  sourceLine(ui['alignment-source'], body, {csv: url, registry: true});
}

/** One button per event under the chart, at its month on the chart's time axis. */
function placeMarks(u) {
  if (!u || !u.over) return;
  const box = clear(ui.marks);
  const offset = u.over.getBoundingClientRect().left - box.getBoundingClientRect().left;
  const ends = [];  // per row, the x of its last mark: a mark takes the first row it fits in
  events.forEach((e) => {
    const x = offset + u.valToPos(monthSeconds(e.day.slice(0, 7)) + (Number(e.day.slice(8, 10)) - 1) * 86400, 'x');
    if (!Number.isFinite(x)) return;
    let row = ends.findIndex((end) => x - end >= 13);
    if (row < 0) {
      row = ends.length < 5 ? ends.length : ends.indexOf(Math.min(...ends));
    }
    ends[row] = x;
    const mark = el('button', {type: 'button', class: 'mark', title: `${e.day}: ${e.title}`,
      'aria-label': `${e.day}: ${e.title}`, dataset: {id: e.id, day: e.day}});
    mark.style.left = `${x}px`;
    mark.style.top = `${0.2 + row * 1.05}rem`;
    mark.style.background = eventColour(e.type);
    const show = () => showEvent(e, mark);
    mark.addEventListener('mouseenter', show);
    mark.addEventListener('focus', show);
    mark.addEventListener('click', () => {
      show();
      setDate(e.day);
    });
    box.append(mark);
  });
  box.style.height = `${0.5 + Math.max(1, ends.length) * 1.05}rem`;
  if (!ui['mark-info'].textContent) ui['mark-info'].textContent = t('network.marks_hint');
}

function showEvent(e, mark) {
  for (const m of ui.marks.querySelectorAll('.mark.active')) m.classList.remove('active');
  mark.classList.add('active');
  clear(ui['mark-info']).append(
    el('strong', {text: `${monthLabel(e.day)} — ${e.title}`}), ' ',
    el('span', {class: 'muted', text: `(${label('event', e.type)}${e.country ? `, ${countryName(e.country)}` : ''})`}), ' ',
    el('button', {type: 'button', class: 'link-button', text: t('network.show_network_on', {date: e.day}),
      onclick: () => setDate(e.day)}),
    el('br'),
    el('span', {class: 'small muted', text: `${t('network.sources')}: ${e.sources}`}));
}
