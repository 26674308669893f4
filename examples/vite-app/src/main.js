// The page: TinySeg's plugin optimizes the model when this module imports it,
// so everything shown is known at build time and the page needs no server.
import model, { arenaSize, report, customOps } from '../../models/tiny-unet-80x120.tflite';
import modelUrl from '../../models/tiny-unet-80x120.tflite?url';
import timelineSvg from '../../models/tiny-unet-80x120.tflite?timeline';
import './style.css';

const nf = new Intl.NumberFormat('en-US');
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** An element with text; figures carry their exact value in data-bytes for scripts and tests. */
function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function bytesCell(id, n) {
  return el('td', `${nf.format(n)} B (${kib(n)})`, { id, 'data-bytes': n });
}

function arenaTable() {
  const table = el('table', undefined, { id: 'arena' });
  const head = el('tr');
  for (const h of ['', 'before', 'after']) head.append(el('th', h));
  table.append(head);
  const rows = [
    ['head', 'planned activations and kernel scratch'],
    ['tail', "TFLM's persistent data (32-bit)"],
    ['total', 'the arena to allocate'],
    ['lowerBound', 'most bytes alive at once'],
  ];
  for (const [key, what] of rows) {
    const tr = el('tr');
    tr.append(el('th', key, { title: what }), bytesCell(`before-${key}`, report.before[key]), bytesCell(`after-${key}`, report.after[key]));
    table.append(tr);
  }
  return table;
}

function spillList() {
  const section = el('section', undefined, { id: 'spills' });
  const { bytesOut, bytesIn, regionBytes, decisions } = report.spill;
  section.append(el('h2', `Spills: ${decisions.length}`, { id: 'spill-count', 'data-count': decisions.length }));
  const summary = el('p');
  summary.append(
    'Per inference ',
    el('span', nf.format(bytesOut), { id: 'spill-out', 'data-bytes': bytesOut }),
    ' B written and ',
    el('span', nf.format(bytesIn), { id: 'spill-in', 'data-bytes': bytesIn }),
    ' B read back; spill region ',
    el('span', nf.format(regionBytes), { id: 'spill-region', 'data-bytes': regionBytes }),
    ' B.',
  );
  section.append(summary);
  const list = el('ul');
  for (const d of decisions) {
    const how = d.count === d.channels ? 'whole' : `channels ${d.begin}..${d.begin + d.count - 1} of ${d.channels}`;
    const fused = d.fused ? `, fetched into the ${d.fused}` : '';
    list.append(el('li', `${d.tensor}: ${how}, ${nf.format(d.bytes)} B, spilled after op ${d.spillOp}, fetched before op ${d.fetchOp}${fused}`, { 'data-tensor': d.tensor }));
  }
  section.append(list);
  return section;
}

/** The chart is an SVG document made by the plugin; parsed as XML it cannot run script. */
function timeline() {
  const figure = el('figure', undefined, { id: 'timeline' });
  const doc = new DOMParser().parseFromString(timelineSvg, 'image/svg+xml');
  const svg = document.importNode(doc.documentElement, true);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  figure.append(svg, el('figcaption', 'Bytes alive at each operator, before and after; hover a band for its tensor.'));
  return figure;
}

function render() {
  const app = document.getElementById('app');
  app.replaceChildren(el('h1', 'TinySeg memory report'));
  const reduction = (report.headReduction * 100).toFixed(1);
  const intro = el('p', undefined, { id: 'summary' });
  intro.append(
    el('code', report.model),
    `: the arena TFLM uses goes from ${kib(report.before.total)} to ${kib(report.after.total)} (head ${reduction}% smaller); allocate `,
    el('strong', kib(arenaSize), { id: 'arena-size', 'data-bytes': arenaSize }),
    ', ',
    el('span', report.verified === true ? 'proven bit-exact' : report.verified === false ? 'NOT bit-exact' : 'not verified', { id: 'verified', 'data-verified': String(report.verified) }),
    '.',
  );
  const download = el('p');
  download.append(
    el('a', 'Optimized model', { id: 'model-url', href: modelUrl, download: 'tiny-unet-80x120.opt.tflite', 'data-bytes': model.length }),
    ` (${nf.format(model.length)} B), custom operators: `,
    el('span', customOps.join(', ') || 'none', { id: 'custom-ops' }),
  );
  app.append(intro, download, arenaTable(), spillList(), timeline());
}

render();
