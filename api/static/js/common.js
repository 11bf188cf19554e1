// Shared by the pages: DOM building, JSON over HTTP, the event stream, and Chart.js line charts.
"use strict";

const TERMINAL = ["succeeded", "failed", "cancelled"];
// One colour per config, by its place in the report: the server's (api/core/palette.py), so the plot agrees.
const PALETTE = JSON.parse(document.getElementById("palette").textContent);
const configColour = (index) => PALETTE[index % PALETTE.length];

// An element with attributes and children (strings become text: names are never parsed as HTML).
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function replaceChildren(id, ...children) {
  document.getElementById(id).replaceChildren(...children.flat());
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// POST JSON; resolves to the parsed body, or throws an Error with the problem's detail.
async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(parsed.detail || `${response.status} ${response.statusText}`);
  return parsed;
}

function fmt(value, digits = 4) {
  return value === null || value === undefined || Number.isNaN(value) ? "" : Number(value).toFixed(digits);
}

// Follow a Server-Sent Events stream: one handler per event kind; `end` closes it.
function follow(url, handlers) {
  const source = new EventSource(url);
  for (const [kind, handler] of Object.entries(handlers)) {
    source.addEventListener(kind, (event) => handler(JSON.parse(event.data || "{}")));
  }
  source.addEventListener("end", () => source.close());
  return source;
}

// Run `work` once, a moment after the last of a burst of calls (a replayed stream is a burst).
function debounced(work, wait = 300) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(work, wait);
  };
}

// Coalesce redraws into one per animation frame.
function perFrame(work) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      work();
    });
  };
}

function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

// Where a log axis puts its ticks: 1, 2, 3 and 5 per decade over a decade or two, 1, 2 and 5
// over a few, every decade or every other beyond; a range within one decade gets round values
// evenly spaced (Chart.js's own crowd it: 11.52, 11.53, ... 11.60 overlapped).
function logTicks(min, max, count = 6) {
  const decades = Math.log10(max / min);
  const multiples = decades > 3 ? [1] : decades > 1.5 ? [1, 2, 5] : [1, 2, 3, 5];
  const values = [];
  for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power += 1) {
    for (const multiple of multiples) values.push(Number((multiple * 10 ** power).toPrecision(6)));
  }
  const inside = values.filter((value) => value >= min && value <= max);
  if (inside.length < 3) return evenTicks(min, max, count);
  const every = decades > 3 ? Math.ceil(inside.length / count) : 1;
  return inside.filter((_, index) => index % every === 0);
}

// About `count` round values from min to max, a step of 1, 2 or 5 times a power of ten apart.
function evenTicks(min, max, count) {
  const rough = (max - min) / (count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((multiple) => multiple * power).find((candidate) => candidate >= rough);
  const values = [];
  for (let index = Math.ceil(min / step); index * step <= max * (1 + 1e-12); index += 1) {
    values.push(Number((index * step).toPrecision(6)));
  }
  return values;
}

// A log axis's ticks and labels are ours; a linear axis keeps Chart.js's.
function roundLogTicks(scale) {
  if (scale.type === "logarithmic" && scale.min > 0 && scale.max > scale.min) {
    scale.ticks = logTicks(scale.min, scale.max).map((value) => ({ value }));
  }
}

// Legend items as Chart.js makes them, each drawn with its series' own dashes and width (for a
// point-style swatch Chart.js takes both from the points, which have none).
function legendLines(chart) {
  return Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
    const dataset = chart.data.datasets[item.datasetIndex];
    return { ...item, lineDash: dataset.borderDash || [], lineWidth: dataset.borderWidth, strokeStyle: dataset.borderColor };
  });
}

function tickLabel(value, index, ticks) {
  if (this.type !== "logarithmic") return Chart.Ticks.formatters.numeric.call(this, value, index, ticks);
  return String(Number(value.toPrecision(4)));
}

// A Chart.js line chart over epochs; datasets flagged `band` stay out of the legend and tooltip.
// Legend swatches are short lines drawn as the series are (solid or dashed), not boxes.
function lineChart(canvas, yTitle) {
  return new Chart(canvas, {
    type: "line",
    data: { datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      spanGaps: true,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" }, ticks: { precision: 0 } },
        y: {
          type: "linear",
          title: { display: true, text: yTitle },
          afterBuildTicks: roundLogTicks,
          ticks: { callback: tickLabel },
        },
      },
      plugins: {
        legend: {
          labels: {
            filter: (item, data) => !data.datasets[item.datasetIndex].band,
            generateLabels: legendLines,
            usePointStyle: true,
            pointStyle: "line",
            pointStyleWidth: 36,
          },
        },
        tooltip: { filter: (item) => !item.dataset.band },
      },
    },
  });
}

// Log or linear y axis, and the epochs shown: all, or only the last `last` (0: all).
function setView(chart, { log, last, maxEpoch }) {
  chart.options.scales.y.type = log ? "logarithmic" : "linear";
  chart.options.scales.x.min = last > 0 ? Math.max(0, maxEpoch - last) : undefined;
  chart.options.scales.x.max = last > 0 ? maxEpoch : undefined;
}

// On a log axis a value at or below zero has no place: it becomes a gap.
function plotted(value, log) {
  return value === null || value === undefined || (log && value <= 0) ? null : value;
}
