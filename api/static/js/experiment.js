// The experiment page: its answer, live curves drawn from the event stream's figures, the
// comparisons and the jobs. The report (answer and tables) is read again only when a job ends.
"use strict";

const page = document.getElementById("experiment");
const experimentId = page.dataset.id;
const jobs = new Map(); // id -> job as GET /experiments/{id} gives it, plus points: Map(epoch -> figures)
let labels = []; // config labels in the report's order
const charts = {
  loss: lineChart(document.getElementById("loss-chart"), "loss"),
  accuracy: lineChart(document.getElementById("accuracy-chart"), "accuracy"),
};
const control = (id) => document.getElementById(id);

function setJobs(experiment) {
  for (const job of experiment.jobs) {
    const known = jobs.get(job.id);
    jobs.set(job.id, { ...job, label: known ? known.label : "", points: known ? known.points : new Map() });
  }
  const status = control("experiment-status");
  status.textContent = experiment.status;
  status.className = `status ${experiment.status}`;
  control("cancel-experiment").hidden = TERMINAL.includes(experiment.status);
}

function addPoint(jobId, figures) {
  const job = jobs.get(jobId);
  if (!job) return;
  job.points.set(figures.epoch, figures);
  job.progress.epoch = Math.max(job.progress.epoch, figures.epoch);
}

const draw = perFrame(() => {
  const set = control("figures").value; // "test_" or ""
  const view = { log: control("log").checked, last: Number(control("last").value), maxEpoch: lastEpoch(jobs) };
  const seeds = control("seeds").checked;
  for (const [name, chart] of Object.entries(charts)) {
    const log = name === "loss" && view.log;
    chart.data.datasets = curveDatasets(jobs, labels, set + name, { log, seeds });
    setView(chart, { ...view, log });
    chart.options.scales.y.title.text = `${set ? "test" : "train"} ${name}`;
    chart.update();
  }
  renderJobs();
});

function renderJobs() {
  const rows = [...jobs.values()].map((job) => {
    const last = job.points.get(job.progress.epoch) || {};
    return el("tr", { "data-job": job.id },
      el("td", {}, el("a", { href: `/ui/jobs/${job.id}` }, job.id)),
      el("td", {}, job.label),
      el("td", {}, job.seed),
      el("td", {}, el("span", { class: `status ${job.status}` }, job.status), job.error ? el("span", { class: "muted" }, " ", job.error) : null),
      el("td", {}, `epoch ${job.progress.epoch}/${job.progress.epochs}`),
      el("td", {}, fmt(last.loss)), el("td", {}, fmt(last.test_loss)), el("td", {}, fmt(last.test_accuracy)));
  });
  replaceChildren("jobs-body", rows);
}

function interval(value) {
  if (!value) return "";
  const ci = value.ci_low === null ? "" : ` (${fmt(value.ci_low)} to ${fmt(value.ci_high)})`;
  return fmt(value.mean) + ci;
}

// An adaptive experiment's rounds in one line; a search's trials charted (search.js).
function renderRounds(report) {
  const rounds = report.rounds;
  control("rounds").textContent = !rounds ? "" : "Rounds: " + rounds.rounds.map((r) => r.seeds
    ? `${r.round}: ${Object.entries(r.seeds).map(([label, n]) => `${label} ${n}`).join(", ")}`
    : `${r.round}: ${r.finalists ? `finalists ${r.finalists.join(", ")}` : `${r.trials} trials`}`).join("; ")
    + ` · stopped: ${rounds.stopped || "not yet"}`;
  renderSearch(report.search);
}

function renderReport(report) {
  renderRounds(report);
  labels = report.configs.map((row) => row.label);
  for (const row of report.configs) for (const id of row.job_ids) if (jobs.has(id)) jobs.get(id).label = row.label;
  const sentences = report.summary.length ? report.summary : ["No answer yet: it appears once jobs have trained."];
  replaceChildren("summary-text", sentences.map((sentence) => el("p", {}, sentence)));
  replaceChildren("configs-body", report.configs.map((row) => el("tr", {},
    el("td", {}, row.label), el("td", {}, row.seeds.length), el("td", {}, interval(row.final_loss)),
    el("td", {}, interval(row.final_test_loss)), el("td", {}, interval(row.final_test_accuracy)),
    el("td", {}, row.conditions.map((c) => el("span", { class: `condition ${c.kind}`, title: c.statement }, `${c.name}${c.subject === "job" ? "" : ` (${c.subject})`} ${c.seeds}/${c.of}`))))));
  control("metric").textContent = report.metric;
  // A heading with an empty table under it reads as a missing answer: say why there is none.
  const noPairs = el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No pairs: a comparison needs two configs with results."));
  replaceChildren("comparisons-body", report.comparisons.length ? report.comparisons.map((c) => el("tr", {},
    el("td", {}, c.a), el("td", {}, c.b), el("td", {}, c.verdict),
    el("td", {}, c.difference === null ? "" : fmt(c.difference)),
    el("td", {}, c.ci_low === null ? "" : `${fmt(c.ci_low)} to ${fmt(c.ci_high)}`),
    el("td", {}, c.test || c.note || ""), el("td", {}, c.seeds_needed || ""))) : noPairs);
  replaceChildren("findings", report.findings.length ? report.findings.map((f) => el("div", { class: "finding" },
    el("div", { class: "question" }, `${f.a} against ${f.b}: ${f.verdict}`), f.statement))
    : el("p", { class: "muted" }, "No findings yet: they appear once two configs have results to compare."));
  renderFollowUps(report.follow_ups);
  // Beside the answer while any job is queued or running (the summary says how many).
  control("provisional").hidden = !report.provisional;
}

// What running a follow-up showed: its verdict, in words, and the experiment that ran it.
function confirmationLine(c) {
  if (!c) return el("p", { class: "muted" }, "not run yet");
  return el("p", { class: "confirmation" },
    el("span", { class: `verdict ${c.verdict}` }, c.verdict.replace("_", " ")), " ", c.statement, " ",
    el("a", { href: `/ui/experiments/${c.experiment_id}` }, `experiment ${c.experiment_id}`));
}

function renderFollowUps(followUps) {
  control("follow-ups-run").hidden = !followUps.some((f) => f.confirmation === null);
  replaceChildren("follow-ups", followUps.length ? followUps.map((f) => el("div", { class: "finding", "data-number": f.number },
    el("div", { class: "question" }, `${f.number}. ${f.config}: ${f.condition}`), `try ${f.change} `,
    el("button", { type: "button", onclick: () => submitted(postJSON("/experiments", f.spec)) }, "run only this one"),
    confirmationLine(f.confirmation)))
    : el("p", { class: "muted" }, "None: the diagnosis suggests none."));
}


async function refresh() {
  const [experiment, report] = await Promise.all([
    getJSON(`/experiments/${experimentId}`),
    getJSON(`/experiments/${experimentId}/report`),
  ]);
  setJobs(experiment);
  renderReport(report);
  draw();
}

// Go to the page of an experiment just created; show the problem if it was refused.
function submitted(request) {
  request.then((created) => window.location.assign(`/ui/experiments/${created.id}`))
    .catch((error) => { control("action-error").textContent = error.message; });
}

async function start() {
  const report = JSON.parse(control("report-data").textContent); // the page came with it
  const [experiment, metrics] = await Promise.all([
    getJSON(`/experiments/${experimentId}`),
    getJSON(`/experiments/${experimentId}/metrics?format=json`),
  ]);
  setJobs(experiment);
  renderReport(report);
  for (const row of metrics.items) addPoint(row.job_id, row);
  draw();
  if (TERMINAL.includes(experiment.status)) return;
  const reread = debounced(refresh);
  const rereadJobs = debounced(() => getJSON(`/experiments/${experimentId}`).then(setJobs).then(draw));
  follow(`/experiments/${experimentId}/events`, {
    epoch: (event) => { addPoint(event.job_id, event); draw(); },
    status: (event) => {
      const job = jobs.get(event.job_id);
      if (job) job.status = event.status;
      (TERMINAL.includes(event.status) ? reread : rereadJobs)();
      draw();
    },
    end: reread,
  });
}

for (const id of ["figures", "log", "last", "seeds"]) control(id).addEventListener("change", draw);
control("rerun").addEventListener("click", () => submitted(postJSON(`/experiments/${experimentId}/rerun`)));
control("run-follow-ups").addEventListener("click", () => submitted(postJSON(`/experiments/${experimentId}/follow-ups`)));
control("cancel-experiment").addEventListener("click", () => postJSON(`/experiments/${experimentId}/cancel`).then(setJobs));
window.normlab = { charts, jobs };
start();
