// A search's trials on the experiment page: per searched path, each trial's final metric
// against its value, coloured by the problem condition most of its seeds show, pruned ones
// hollow (GET /experiments/{id}/search.svg draws the same on the server).
"use strict";

const NO_PROBLEM = "no problem";
const searchCharts = new Map(); // path -> Chart

function scatterChart(canvas, path, metric) {
  return new Chart(canvas, {
    type: "scatter",
    data: { datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", title: { display: true, text: path } },
        y: { type: "linear", title: { display: true, text: `final ${metric.replace("_", " ")}` } },
      },
    },
  });
}

function searchDatasets(search, path, numeric) {
  const problems = [...new Set(search.trials.map((t) => t.problems[0] || NO_PROBLEM))].sort();
  return problems.map((problem, index) => {
    const colour = problem === NO_PROBLEM ? "#7f7f7f" : PALETTE[index % PALETTE.length];
    const trials = search.trials.filter((t) => t.value !== null && (t.problems[0] || NO_PROBLEM) === problem);
    return {
      label: problem,
      data: trials.map((t) => ({ x: numeric ? t.params[path] : String(t.params[path]), y: t.value })),
      borderColor: colour,
      backgroundColor: trials.map((t) => (t.pruned_at === null ? colour : "rgba(0, 0, 0, 0)")),
      pointRadius: 4,
    };
  });
}

function renderSearch(search) {
  const holder = document.getElementById("search-charts");
  holder.hidden = !search || !search.trials.length;
  if (holder.hidden) return;
  for (const path of Object.keys(search.trials[0].params)) {
    if (!searchCharts.has(path)) {
      const canvas = el("canvas", { "aria-label": `${path} against the final ${search.metric}` });
      holder.append(el("div", { class: "chart" }, canvas));
      searchCharts.set(path, scatterChart(canvas, path, search.metric));
    }
    const chart = searchCharts.get(path);
    const values = search.trials.map((t) => t.params[path]);
    const numeric = values.every((v) => typeof v === "number");
    const spread = numeric && Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > 50;
    chart.options.scales.x.type = !numeric ? "category" : spread ? "logarithmic" : "linear";
    chart.options.scales.x.labels = numeric ? undefined : [...new Set(values.map(String))];
    chart.data.datasets = searchDatasets(search, path, numeric);
    chart.update();
  }
}
