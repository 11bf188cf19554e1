// The job page: its diagnosis first, then curves, the diagnostic its first problem was found in,
// its events and its config, followed live. Drawn in its config's colour.
"use strict";

const page = document.getElementById("job");
const jobId = page.dataset.id;
const colour = page.dataset.colour;
// With no problem to show, the diagnostic that tells stuck from learning: the probe's loss.
const DEFAULT_DIAGNOSTIC = "probe.loss";
const points = new Map(); // epoch -> figures
const diagnostics = new Map(); // name -> Map(epoch -> value)
let diagnosticWords = {}; // name -> plain words, as GET /jobs/{id}/diagnostics gives them
let conditions = []; // as GET /jobs/{id} gives them
let picked = false; // the reader chose a diagnostic: the page no longer chooses for them
const $ = (id) => document.getElementById(id);
const charts = {
  loss: lineChart($("loss-chart"), "loss"),
  accuracy: lineChart($("accuracy-chart"), "accuracy"),
  diagnostic: lineChart($("diagnostic-chart"), "value"),
};

// `{"a": {"b": 1}}` -> [["a.b", 1]]: the config as the filters and exports name its fields.
function flatten(value, prefix = "") {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

// Problems before notes, and among them a cause before what follows from it.
function ordered(found) {
  const rank = (c) => (c.kind === "problem" ? 0 : 2) + (c.caused_by ? 1 : 0);
  return [...found].sort((a, b) => rank(a) - rank(b));
}

function conditionCard(c) {
  return el("div", { class: `finding ${c.kind}`, "data-name": c.name },
    el("div", { class: "question" }, `${c.kind} · from epoch ${c.epoch}`),
    el("div", { class: "words" }, c.words),
    el("p", {}, c.statement),
    c.follows_from ? el("p", { class: "cause" }, `follows from: ${c.follows_from}`) : null);
}

function renderJob(job) {
  $("job-status").textContent = job.status;
  $("job-status").className = `status ${job.status}`;
  $("cancel").hidden = TERMINAL.includes(job.status) || job.cancel_requested;
  const stop = job.stopped_early;
  const held = stop && (job.conditions || []).find((c) => c.name === stop.condition);
  $("progress").textContent = `epoch ${job.progress.epoch}/${job.progress.epochs}`
    + (stop ? ` · stopped early at epoch ${stop.epoch}: ${held ? held.words : stop.condition}` : "");
  $("job-error").textContent = job.error || "";
  const rows = [["seed", job.seed], ...flatten(job.config)];
  replaceChildren("config-body", rows.map(([key, value]) => el("tr", {}, el("th", {}, key), el("td", {}, JSON.stringify(value)))));
  conditions = ordered(job.conditions || []);
  if (conditions.length) replaceChildren("conditions-body", conditions.map(conditionCard));
  choose();
}

// The diagnostic that shows the job's first problem, its root cause if it has one: the one its
// threshold was held against, else the first its evidence reads; the probe's loss otherwise.
function focus() {
  const problems = conditions.filter((c) => c.kind === "problem");
  const first = problems.find((c) => !c.caused_by) || problems[0];
  const evidence = first ? first.evidence : {};
  const named = [...Object.keys(evidence.thresholds || {}), ...Object.keys(evidence.values || {})];
  const found = named.find((name) => diagnostics.has(name));
  return found ? { name: found, why: first.words } : { name: DEFAULT_DIAGNOSTIC, why: null };
}

function choose() {
  if (picked || !diagnostics.size) return;
  const { name, why } = focus();
  if (!diagnostics.has(name)) return;
  $("diagnostic").value = name;
  $("diagnostic-why").textContent = why ? `opened on the evidence of ${why}` : "";
  draw();
}

function series(metric, label, dash, log) {
  const sorted = [...points.entries()].sort((a, b) => a[0] - b[0]);
  return { label, data: sorted.map(([epoch, f]) => ({ x: epoch, y: plotted(f[metric], log) })),
    borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 2, borderDash: dash };
}

const draw = perFrame(() => {
  const log = $("log").checked;
  charts.loss.data.datasets = [series("loss", "train loss", [], log), series("test_loss", "test loss", [6, 4], log)];
  charts.accuracy.data.datasets = [series("accuracy", "train accuracy", [], false), series("test_accuracy", "test accuracy", [6, 4], false)];
  setView(charts.loss, { log, last: 0 });
  const name = $("diagnostic").value;
  const dlog = $("diagnostic-log").checked;
  const values = [...(diagnostics.get(name) || new Map()).entries()].sort((a, b) => a[0] - b[0]);
  charts.diagnostic.data.datasets = [{ label: diagnosticWords[name] || name, data: values.map(([x, y]) => ({ x, y: plotted(y, dlog) })),
    borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 2 }];
  charts.diagnostic.options.scales.y.title.text = name;
  setView(charts.diagnostic, { log: dlog, last: 0 });
  for (const chart of Object.values(charts)) chart.update();
});

async function loadDiagnostics() {
  const body = await getJSON(`/jobs/${jobId}/diagnostics`);
  diagnosticWords = body.words;
  for (const item of body.items) {
    if (!diagnostics.has(item.name)) diagnostics.set(item.name, new Map());
    diagnostics.get(item.name).set(item.epoch, item.value);
  }
  const select = $("diagnostic");
  const chosen = select.value;
  const names = [...diagnostics.keys()].sort();
  if (names.length !== select.options.length) {
    select.replaceChildren(...names.map((name) => el("option", { value: name, selected: name === chosen },
      `${diagnosticWords[name] || name} (${name})`)));
  }
  choose();
  draw();
}

function logEvent(kind, event) {
  const what = kind === "epoch"
    ? `epoch ${event.epoch}: loss ${fmt(event.loss)}, test loss ${fmt(event.test_loss)}, test accuracy ${fmt(event.test_accuracy)}`
    : [event.status, event.error, event.reason].filter(Boolean).join(": ");
  $("events-body").append(el("tr", {}, el("td", {}, (event.at || "").replace("T", " ").slice(0, 19)), el("td", {}, kind), el("td", {}, what)));
}

async function start() {
  const [job, metrics] = await Promise.all([getJSON(`/jobs/${jobId}`), getJSON(`/jobs/${jobId}/metrics`)]);
  renderJob(job);
  for (const row of metrics.items) points.set(row.epoch, row);
  draw();
  await loadDiagnostics();
  const reloadDiagnostics = debounced(loadDiagnostics, 500);
  const reloadJob = debounced(() => getJSON(`/jobs/${jobId}`).then(renderJob));
  // Followed even when the job has ended: the stream replays its events, then ends.
  follow(`/jobs/${jobId}/events`, {
    epoch: (event) => { logEvent("epoch", event); points.set(event.epoch, event); draw(); reloadDiagnostics(); reloadJob(); },
    status: (event) => { logEvent("status", event); reloadJob(); if (TERMINAL.includes(event.status)) reloadDiagnostics(); },
  });
}

for (const id of ["log", "diagnostic-log"]) $(id).addEventListener("change", draw);
$("diagnostic").addEventListener("change", () => {
  picked = true;
  $("diagnostic-why").textContent = "";
  draw();
});
$("cancel").addEventListener("click", () => postJSON(`/jobs/${jobId}/cancel`).then(renderJob)
  .catch((error) => { $("action-error").textContent = error.message; }));
window.normlab = { charts, points };
start();
