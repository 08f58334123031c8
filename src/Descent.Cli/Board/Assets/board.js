// The live view of `descent board`: polls /api/runs and the metrics of the selected runs every two seconds and
// redraws the curves with uPlot. Run names are shown with textContent (never parsed as HTML).
"use strict";
const palette = ["#0072b2", "#d55e00", "#009e73", "#000000", "#cc79a7", "#e69f00", "#56b4e9", "#7f6d00"];
const selected = new Set();
let known = [];
let charts = {};
let signature = "";

async function getJson(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) throw new Error(url + ": " + r.status);
  return r.json();
}

function fmt(x, digits) { return x === null || x === undefined ? "—" : Number(x).toFixed(digits); }

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
}

function renderTable(runs) {
  const body = document.getElementById("runs");
  body.replaceChildren();
  runs.forEach((run, i) => {
    const tr = document.createElement("tr");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = selected.has(run.id);
    box.onchange = () => { box.checked ? selected.add(run.id) : selected.delete(run.id); refresh(); };
    const td = document.createElement("td");
    td.appendChild(box);
    td.style.borderLeft = "4px solid " + palette[i % palette.length];
    tr.appendChild(td);
    const last = run.last || [];
    const planned = run.planned_epochs ? "/" + run.planned_epochs : "";
    cell(tr, run.id + (run.optimizer ? "  (" + run.optimizer + (run.lr ? " lr=" + run.lr : "") + ")" : ""));
    cell(tr, run.status, run.status);
    cell(tr, run.epochs + planned);
    cell(tr, fmt(last[2], 4)); cell(tr, fmt(last[3], 4)); cell(tr, fmt(last[4], 4)); cell(tr, fmt(last[6], 4));
    body.appendChild(tr);
  });
}

function draw(id, runs, metrics, solidCol, dashedCol, log) {
  const xs = [...new Set(metrics.flatMap(m => m.rows.map(r => r[0])))].sort((a, b) => a - b);
  const data = [xs];
  const series = [{ label: "epoch" }];
  metrics.forEach(m => {
    const colour = palette[known.indexOf(m.id) % palette.length];
    const byEpoch = new Map(m.rows.map(r => [r[0], r]));
    [[solidCol, null], [dashedCol, [6, 4]]].forEach(([col, dash]) => {
      data.push(xs.map(x => byEpoch.has(x) ? byEpoch.get(x)[col] : null));
      series.push({ label: m.id + (dash ? " (val)" : ""), stroke: colour, width: 2, dash: dash || undefined, spanGaps: true, points: { show: true } });
    });
  });
  const el = document.getElementById(id);
  const key = id + JSON.stringify(series.map(s => s.label));
  if (charts[id] && charts[id].key === key) { charts[id].plot.setData(data); return; }
  if (charts[id]) charts[id].plot.destroy();
  const opts = { width: Math.max(440, el.clientWidth || 600), height: 300, series, legend: { show: false },
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} }, axes: [{ label: "epoch", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, {}] };
  charts[id] = { key, plot: new uPlot(opts, data, el) };
}

async function refresh() {
  try {
    const index = await getJson("/api/runs");
    document.getElementById("root").textContent = index.root;
    known = index.runs.map(r => r.id);
    if (selected.size === 0) known.slice(0, 8).forEach(id => selected.add(id));
    const sig = JSON.stringify(index.runs);
    if (sig !== signature) { renderTable(index.runs); signature = sig; }
    const chosen = index.runs.filter(r => selected.has(r.id));
    const metrics = await Promise.all(chosen.map(r => getJson("/api/runs/" + r.id.split("/").map(encodeURIComponent).join("/") + "/metrics")));
    draw("loss", chosen, metrics, 2, 3, true);
    draw("accuracy", chosen, metrics, 6, 4, false);
    document.getElementById("status").textContent = index.runs.length + " runs · updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "cannot reach the board: " + e.message;
  }
}

refresh();
setInterval(refresh, 2000);
