// wenping's pages work without this script; it only adds small conveniences: a question before a form that
// cannot be undone, and the factors of a matrix cell shown when the cell is clicked.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const cell = event.target.closest("[data-cell]");
  if (!cell) return;
  const matrix = cell.closest("[data-matrix]");
  const list = document.getElementById(matrix.getAttribute("data-matrix") + "-factors");
  if (!list) return;
  matrix.querySelectorAll(".picked").forEach((c) => c.classList.remove("picked"));
  cell.closest("td").classList.add("picked");
  const factors = JSON.parse(cell.getAttribute("data-factors") || "[]");
  list.replaceChildren(...factors.map((f) => { const li = document.createElement("li"); li.textContent = f; return li; }));
  const caption = list.previousElementSibling;
  if (caption) caption.textContent = cell.getAttribute("data-caption");
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// A picker's filter: shows the choices whose text (name and code) contains what was typed.
document.addEventListener("input", (event) => {
  const id = event.target.getAttribute && event.target.getAttribute("data-filter");
  if (!id) return;
  const needle = event.target.value.trim();
  document.querySelectorAll("#" + id + " [data-text]").forEach((el) => {
    el.hidden = needle !== "" && !el.getAttribute("data-text").includes(needle);
  });
});
// The override reason is asked for only when the outcome picked goes against the gate.
function showOverride(form) {
  const picked = form.querySelector('input[name="outcome"]:checked');
  const box = form.querySelector("#override-box");
  if (!box) return;
  const needed = picked && picked.getAttribute("data-allowed") === "false";
  box.hidden = !needed;
  form.querySelector("#override_reason").required = !!needed;
}
document.addEventListener("change", (event) => {
  const form = event.target.closest("[data-resolve]");
  if (form) showOverride(form);
});
document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-resolve]").forEach(showOverride));
// The what-if panel: every change is scored again at once and only the result is replaced; nothing is stored.
let whatIfTimer = null;
let whatIfSeq = 0;
function rescore(form) {
  const seq = ++whatIfSeq;
  const body = new URLSearchParams(new FormData(form));
  fetch(form.action, { method: "POST", body, headers: { "X-Fragment": "1" }, credentials: "same-origin" })
    .then((r) => r.text())
    .then((html) => {
      if (seq !== whatIfSeq) return; // a newer change is on its way
      const target = form.querySelector("#what-if-result");
      const next = new DOMParser().parseFromString(html, "text/html").querySelector("#what-if-result");
      if (target && next) target.replaceWith(next);
    });
}
function onWhatIf(event) {
  const form = event.target.closest("[data-what-if]");
  if (!form || event.target.name === "name") return;
  if (event.target.hasAttribute("data-reload")) { window.location = form.action.replace(/what-if$/, "compare") + "?from=" + event.target.value; return; }
  clearTimeout(whatIfTimer);
  whatIfTimer = setTimeout(() => rescore(form), 60);
}
document.addEventListener("input", onWhatIf);
document.addEventListener("change", onWhatIf);
document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  document.querySelectorAll("[data-what-if]").forEach(rescore);
});
