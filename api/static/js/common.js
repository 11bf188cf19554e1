// Shared by the pages: DOM building, JSON over HTTP, the event stream, and Chart.js line charts.
"use strict";

const TERMINAL = ["succeeded", "failed", "cancelled"];
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

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

// A Chart.js line chart over epochs; datasets flagged `band` stay out of the legend and tooltip.
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
        y: { type: "linear", title: { display: true, text: yTitle } },
      },
      plugins: {
        legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].band } },
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
