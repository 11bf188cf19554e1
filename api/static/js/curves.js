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

function seedLine(job, label, colour, metric, log) {
  const ended = job.status === "cancelled" || job.status === "failed";
  const points = [...job.points.entries()].sort((a, b) => a[0] - b[0]);
  return {
    label: `${label} · seed ${job.seed}${job.status === "succeeded" ? "" : ` (${job.status})`}`,
    data: points.map(([epoch, figures]) => ({ x: epoch, y: plotted(figures[metric], log) })),
    borderColor: withAlpha(colour, 0.6),
    backgroundColor: withAlpha(colour, 0.6),
    borderWidth: 1,
    pointRadius: ended ? 3 : 1,
    pointStyle: ended ? "crossRot" : "circle",
    borderDash: ended ? [4, 3] : [],
  };
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
    const stopped = members.length > 0 && members.every((job) => job.status === "cancelled" || job.status === "failed");
    datasets.push({
      label: stopped ? `${label} (stopped)` : label,
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
