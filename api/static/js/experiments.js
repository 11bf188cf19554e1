// The experiments list: submit a preset or a pasted spec, re-run an experiment.
"use strict";

const form = document.getElementById("submit");
const problem = document.getElementById("submit-error");

function go(request) {
  request.then((created) => window.location.assign(`/ui/experiments/${created.id}`))
    .catch((error) => { problem.textContent = error.message; });
}

// The body to POST: a preset with its optional overrides, or the pasted JSON as it is.
function body() {
  if (form.elements.kind.value === "json") return JSON.parse(document.getElementById("spec").value);
  const spec = { preset: document.getElementById("preset").value };
  const name = document.getElementById("preset-name").value.trim();
  const seeds = document.getElementById("preset-seeds").value.trim();
  if (name) spec.name = name;
  if (seeds) spec.seeds = seeds.split(/[\s,]+/).map(Number);
  return spec;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  problem.textContent = "";
  let spec;
  try {
    spec = body();
  } catch (error) {
    problem.textContent = `not JSON: ${error.message}`;
    return;
  }
  go(postJSON("/experiments", spec));
});

for (const button of document.querySelectorAll("button.rerun")) {
  button.addEventListener("click", () => go(postJSON(`/experiments/${button.dataset.id}/rerun`)));
}
