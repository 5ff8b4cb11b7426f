// See dashboard.h. The page parses the Prometheus text format itself; rates and quantiles come
// from the difference between two scrapes (a quantile from the histogram buckets' deltas, as
// PromQL's histogram_quantile over rate() does).
#include "app/dashboard.h"

#include <boost/json.hpp>

namespace parley::app {

namespace {

constexpr std::string_view kHead = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:16px;background:#f6f7f9;color:#222}
h1{font-size:18px;margin:0 0 4px}#status{color:#666;margin-bottom:12px}
#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 10px}
.card h2{font-size:14px;margin:0 0 4px}.vals{font-size:13px;margin-bottom:4px}
.vals span{margin-right:12px}canvas{width:100%;height:140px;display:block}
table{border-collapse:collapse;margin-bottom:12px;background:#fff}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#eee}
td:first-child{text-align:left}.err{color:#b00}
</style></head><body>
<h1>Parley</h1><div id="status">starting…</div>
<table id="nodes"><thead><tr><th>node</th><th>build</th><th>connections</th><th>msgs/s</th>
<th>CPU (cores)</th><th>RSS (MiB)</th><th>state</th></tr></thead><tbody></tbody></table>
<div id="grid"></div>
<script>
)HTML";

constexpr std::string_view kScript = R"JS(
"use strict";
const HISTORY = 300;  // points kept per node: five minutes at one scrape a second
const COLORS = ['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2','#17becf'];
const CHARTS = [
  {id:'connections', title:'Connections (Socket.IO sessions)', unit:''},
  {id:'msgs', title:'Messages per second (chatMessage in)', unit:'/s'},
  {id:'frames', title:'Frames written per second', unit:'/s'},
  {id:'delivery', title:'Broadcast delivery p99 (publish to queued)', unit:'ms'},
  {id:'store', title:'Store append_message p99', unit:'ms'},
  {id:'cpu', title:'CPU (cores)', unit:''},
  {id:'rss', title:'Memory (RSS, MiB)', unit:'MiB'},
];
const nodes = (NODES.length ? NODES : ['self']).map((url, i) => ({
  base: url === 'self' ? '' : url, name: url === 'self' ? location.origin : url, color: COLORS[i % COLORS.length],
  prev: null, series: Object.fromEntries(CHARTS.map(c => [c.id, []])), last: {}, error: '', build: ''}));
let updates = 0;

// Prometheus text format: name{labels} value
function parse(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line[0] === '#') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const v = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (!out.has(m[1])) out.set(m[1], []);
    out.get(m[1]).push({labels, v});
  }
  return out;
}
function sum(s, name, pred = () => true) {
  return (s.get(name) || []).filter(x => pred(x.labels)).reduce((a, x) => a + x.v, 0);
}
function buckets(s, name, pred) {
  const b = (s.get(name + '_bucket') || []).filter(x => pred(x.labels));
  const byLe = new Map();
  for (const x of b) {
    const le = x.labels.le === '+Inf' ? Infinity : Number(x.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + x.v);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]);
}
// q-quantile of the observations between two scrapes (linear inside a bucket).
function quantile(q, now, before) {
  const d = now.map(([le, c], i) => [le, c - (before && before[i] ? before[i][1] : 0)]);
  const total = d.length ? d[d.length - 1][1] : 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  let lo = 0, prevCount = 0;
  for (const [le, c] of d) {
    if (c >= rank) {
      if (le === Infinity) return lo;
      return lo + (le - lo) * ((rank - prevCount) / Math.max(c - prevCount, 1e-9));
    }
    lo = le; prevCount = c;
  }
  return lo;
}
function push(arr, v) { arr.push(v); if (arr.length > HISTORY) arr.shift(); }

async function scrape(node) {
  const t = performance.now() / 1000;
  try {
    const r = await fetch(node.base + '/metrics', {cache: 'no-store'});
    if (!r.ok) throw new Error('HTTP ' + r.status);
    const s = parse(await r.text());
    const bi = (s.get('parley_build_info') || [])[0];
    node.build = bi ? bi.labels.version + ' ' + bi.labels.commit : '?';
    const cur = {
      t, s,
      chat: sum(s, 'parley_sio_events_in_total', l => l.event === 'chatMessage'),
      frames: sum(s, 'parley_ws_frames_written_total'),
      cpu: sum(s, 'process_cpu_seconds_total'),
      pass: buckets(s, 'parley_broadcast_delivery_seconds', () => true),
      store: buckets(s, 'parley_store_op_duration_seconds', l => l.op === 'append_message'),
    };
    const last = {connections: sum(s, 'parley_sio_sockets'),
                  rss: sum(s, 'process_resident_memory_bytes') / 1048576};
    const p = node.prev;
    if (p) {
      const dt = Math.max(t - p.t, 1e-3);
      last.msgs = (cur.chat - p.chat) / dt;
      last.frames = (cur.frames - p.frames) / dt;
      last.cpu = (cur.cpu - p.cpu) / dt;
      const pq = quantile(0.99, cur.pass, p.pass);
      last.delivery = pq === null ? null : pq * 1000;
      const sq = quantile(0.99, cur.store, p.store);
      last.store = sq === null ? null : sq * 1000;
    }
    node.prev = cur;
    node.last = last;
    node.error = '';
    for (const c of CHARTS) push(node.series[c.id], last[c.id] ?? null);
  } catch (e) {
    node.error = String(e.message || e);
    for (const c of CHARTS) push(node.series[c.id], null);
  }
}

function fmt(v) {
  if (v === null || v === undefined || !isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function draw(canvas, id) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = w * dpr; canvas.height = h * dpr;
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  let max = 0;
  for (const n of nodes) for (const v of n.series[id]) if (v !== null && v > max) max = v;
  max = max > 0 ? max * 1.1 : 1;
  const left = 44, bottom = h - 14;
  g.strokeStyle = '#ccc'; g.fillStyle = '#666'; g.font = '10px system-ui'; g.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = 10 + (bottom - 10) * i / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(w, y); g.stroke();
    g.fillText(fmt(max * (1 - i / 4)), 2, y + 3);
  }
  g.fillText('-' + HISTORY + ' s', left, h - 2);
  g.fillText('now', w - 20, h - 2);
  for (const n of nodes) {
    const s = n.series[id];
    g.strokeStyle = n.color; g.lineWidth = 1.5; g.beginPath();
    let pen = false;
    s.forEach((v, i) => {
      const x = left + (w - left) * (HISTORY - s.length + i) / (HISTORY - 1);
      if (v === null) { pen = false; return; }
      const y = bottom - (bottom - 10) * v / max;
      if (pen) g.lineTo(x, y); else g.moveTo(x, y);
      pen = true;
    });
    g.stroke();
  }
}

function render() {
  const tbody = document.querySelector('#nodes tbody');
  tbody.replaceChildren(...nodes.map((n, i) => {
    const tr = document.createElement('tr');
    tr.id = 'node-' + i;
    const cells = [n.name, n.build, fmt(n.last.connections), fmt(n.last.msgs), fmt(n.last.cpu),
                   fmt(n.last.rss), n.error ? 'error: ' + n.error : 'ok'];
    const keys = ['name', 'build', 'connections', 'msgs', 'cpu', 'rss', 'state'];
    cells.forEach((c, j) => {
      const td = document.createElement('td');
      td.textContent = c;
      td.dataset.metric = keys[j];
      if (j === 0) td.style.borderLeft = '4px solid ' + n.color;
      if (j === 6 && n.error) td.className = 'err';
      tr.append(td);
    });
    return tr;
  }));
  for (const c of CHARTS) {
    const vals = document.getElementById('vals-' + c.id);
    vals.replaceChildren(...nodes.map((n, i) => {
      const sp = document.createElement('span');
      sp.id = 'v-' + c.id + '-' + i;
      sp.style.color = n.color;
      sp.textContent = fmt(n.last[c.id]) + (c.unit ? ' ' + c.unit : '');
      return sp;
    }));
    draw(document.getElementById('chart-' + c.id), c.id);
  }
  document.getElementById('status').textContent =
    'updated ' + new Date().toLocaleTimeString() + ' · ' + nodes.length + ' node(s) · ' +
    updates + ' scrapes';
  document.body.dataset.updates = String(updates);
}

const grid = document.getElementById('grid');
for (const c of CHARTS) {
  const card = document.createElement('div');
  card.className = 'card';
  card.innerHTML = '<h2></h2><div class="vals" id="vals-' + c.id + '"></div>' +
                   '<canvas id="chart-' + c.id + '"></canvas>';
  card.querySelector('h2').textContent = c.title;
  grid.append(card);
}
async function tick() {
  await Promise.all(nodes.map(scrape));
  updates++;
  render();
  setTimeout(tick, Math.max(0, 1000 - (performance.now() % 1000)));
}
tick();
</script></body></html>
)JS";

}  // namespace

std::string dashboard_page(const std::vector<std::string>& nodes) {
  boost::json::array list;
  for (const auto& n : nodes)
    list.emplace_back(n);
  std::string json = boost::json::serialize(list);
  // Inside <script>: no "</script>" or "<!--" can come from a node URL.
  std::string safe;
  for (char c : json) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  std::string page(kHead);
  page += "const NODES = " + safe + ";\n";
  page += kScript;
  return page;
}

}  // namespace parley::app
