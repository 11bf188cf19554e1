// An experiment's curves per config: the mean over seeds at each epoch, the band from the lowest
// to the highest seed (never outside the figures' own range), and each seed on demand.
"use strict";

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

// The values of `metric` per epoch over the given jobs (each job: {points: Map(epoch -> figures)}).
function byEpoch(members, metric, log) {
  const values = new Map();
  for (const job of members) {
    for (const [epoch, figures] of job.points) {
      const value = plotted(figures[metric], log);
      if (value === null) continue;
      if (!values.has(epoch)) values.set(epoch, []);
      values.get(epoch).push(value);
    }
  }
  return [...values.entries()].sort((a, b) => a[0] - b[0]);
}

// How a seed's line says it ended short of its epochs: cancelled, failed, or stopped early.
function seedEnd(job) {
  if (job.stopped_early) return ` (stopped early at epoch ${job.stopped_early.epoch}: ${job.stopped_early.condition})`;
  return job.status === "succeeded" ? "" : ` (${job.status})`;
}

function seedLine(job, label, colour, metric, log) {
  const ended = job.status === "cancelled" || job.status === "failed";
  const points = [...job.points.entries()].sort((a, b) => a[0] - b[0]);
  // A job stopped early ends in a diamond at the epoch it stopped.
  const stop = job.stopped_early ? job.stopped_early.epoch : null;
  return {
    label: `${label} · seed ${job.seed}${seedEnd(job)}`,
    data: points.map(([epoch, figures]) => ({ x: epoch, y: plotted(figures[metric], log) })),
    borderColor: withAlpha(colour, 0.6),
    backgroundColor: withAlpha(colour, 0.6),
    borderWidth: 1,
    pointRadius: points.map(([epoch]) => (epoch === stop ? 6 : ended ? 3 : 1)),
    pointStyle: points.map(([epoch]) => (epoch === stop ? "rectRot" : ended ? "crossRot" : "circle")),
    borderDash: ended ? [4, 3] : [],
  };
}

// Every seed of a config cancelled or failed.
const allEnded = (members) => members.length > 0 && members.every((job) => job.status === "cancelled" || job.status === "failed");

// "x/255 (2 of 3 seeds stopped early)": a mean that ends early says why.
function meanLabel(label, members) {
  if (allEnded(members)) return `${label} (stopped)`;
  const early = members.filter((job) => job.stopped_early).length;
  return early ? `${label} (${early} of ${members.length} seeds stopped early)` : label;
}

// Chart.js datasets for one metric: per config a band (two datasets), its mean, and its seeds.
function curveDatasets(jobs, labels, metric, { log, seeds }) {
  const datasets = [];
  labels.forEach((label, index) => {
    const colour = configColour(index);
    const members = [...jobs.values()].filter((job) => job.label === label);
    const rows = byEpoch(members, metric, log);
    const line = (statistic) => rows.map(([epoch, values]) => ({ x: epoch, y: statistic(values) }));
    const band = { band: true, borderWidth: 0, pointRadius: 0, pointHitRadius: 0 };
    datasets.push({ ...band, label: `${label} lowest seed`, data: line((v) => Math.min(...v)), fill: false });
    datasets.push({
      ...band,
      label: `${label} highest seed`,
      data: line((v) => Math.max(...v)),
      backgroundColor: withAlpha(colour, 0.15),
      fill: "-1",
    });
    const stopped = allEnded(members);
    datasets.push({
      label: meanLabel(label, members),
      data: line(mean),
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: 2.5,
      pointRadius: 2,
      borderDash: stopped ? [6, 4] : [],
    });
    if (seeds) members.forEach((job) => datasets.push(seedLine(job, label, colour, metric, log)));
  });
  return datasets;
}

// The last epoch any job has reached.
function lastEpoch(jobs) {
  let last = 0;
  for (const job of jobs.values()) for (const epoch of job.points.keys()) last = Math.max(last, epoch);
  return last;
}
