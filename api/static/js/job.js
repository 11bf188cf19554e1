// The job page: config, conditions, curves and diagnostics over epochs, its events, followed live.
"use strict";

const jobId = document.getElementById("job").dataset.id;
const points = new Map(); // epoch -> figures
const diagnostics = new Map(); // name -> Map(epoch -> value)
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

function renderJob(job) {
  $("job-status").textContent = job.status;
  $("job-status").className = `status ${job.status}`;
  $("cancel").hidden = TERMINAL.includes(job.status) || job.cancel_requested;
  $("progress").textContent = `seed ${job.seed} · epoch ${job.progress.epoch}/${job.progress.epochs}`;
  $("job-error").textContent = job.error || "";
  const rows = [["seed", job.seed], ...flatten(job.config)];
  replaceChildren("config-body", rows.map(([key, value]) => el("tr", {}, el("th", {}, key), el("td", {}, JSON.stringify(value)))));
  if (Array.isArray(job.conditions) && job.conditions.length) {
    replaceChildren("conditions-body", job.conditions.map((c) => el("div", { class: "finding" },
      el("div", { class: "question" }, `${c.kind}: ${c.name}${c.subject && c.subject !== "job" ? ` (${c.subject})` : ""} from epoch ${c.epoch}`),
      c.statement)));
  }
}

function series(metric, label, colour, dash, log) {
  const sorted = [...points.entries()].sort((a, b) => a[0] - b[0]);
  return { label, data: sorted.map(([epoch, f]) => ({ x: epoch, y: plotted(f[metric], log) })),
    borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 2, borderDash: dash };
}

const draw = perFrame(() => {
  const log = $("log").checked;
  charts.loss.data.datasets = [series("loss", "train loss", PALETTE[0], [], log), series("test_loss", "test loss", PALETTE[1], [6, 4], log)];
  charts.accuracy.data.datasets = [series("accuracy", "train accuracy", PALETTE[0], [], false), series("test_accuracy", "test accuracy", PALETTE[1], [6, 4], false)];
  setView(charts.loss, { log, last: 0 });
  const name = $("diagnostic").value;
  const dlog = $("diagnostic-log").checked;
  const values = [...(diagnostics.get(name) || new Map()).entries()].sort((a, b) => a[0] - b[0]);
  charts.diagnostic.data.datasets = [{ label: name, data: values.map(([x, y]) => ({ x, y: plotted(y, dlog) })),
    borderColor: PALETTE[2], backgroundColor: PALETTE[2], borderWidth: 2, pointRadius: 2 }];
  setView(charts.diagnostic, { log: dlog, last: 0 });
  for (const chart of Object.values(charts)) chart.update();
});

async function loadDiagnostics() {
  const body = await getJSON(`/jobs/${jobId}/diagnostics`);
  for (const item of body.items) {
    if (!diagnostics.has(item.name)) diagnostics.set(item.name, new Map());
    diagnostics.get(item.name).set(item.epoch, item.value);
  }
  const select = $("diagnostic");
  const chosen = select.value;
  const names = [...diagnostics.keys()].sort();
  if (names.length !== select.options.length) {
    select.replaceChildren(...names.map((name) => el("option", { selected: name === chosen }, name)));
  }
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

for (const id of ["log", "diagnostic", "diagnostic-log"]) $(id).addEventListener("change", draw);
$("cancel").addEventListener("click", () => postJSON(`/jobs/${jobId}/cancel`).then(renderJob)
  .catch((error) => { $("action-error").textContent = error.message; }));
window.normlab = { charts, points };
start();
