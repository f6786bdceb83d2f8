// The workbench's only script: the job progress bar (polls the JSON status) and arrow keys in
// the results table. Pages work without it (a job page then refreshes itself).
(function () {
  "use strict";
  function poll(box) {
    var labels = JSON.parse(box.getAttribute("data-labels") || "{}");
    var bar = document.getElementById("bar"), state = document.getElementById("state");
    var done = document.getElementById("rows-done"), error = document.getElementById("job-error");
    function tick() {
      fetch(box.getAttribute("data-status-url"), {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
        state.textContent = labels[s.state] || s.state;
        done.textContent = s.rows_done;
        if (s.rows_total) { bar.max = 100; bar.value = Math.min(100, Math.round(100 * s.rows_done / s.rows_total)); }
        if (s.state === "done") { bar.value = 100; window.location.replace(box.getAttribute("data-done-url")); return; }
        if (s.state === "failed") { error.textContent = s.error; error.hidden = false; return; }
        window.setTimeout(tick, 500);
      }).catch(function () { window.setTimeout(tick, 2000); });
    }
    tick();
  }
  function keyboardTable(table) {
    // each row's firm link is reachable with Tab; ↑/↓ move between rows, Enter opens the firm
    table.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
      var links = Array.prototype.slice.call(table.querySelectorAll("a.firm"));
      var at = links.indexOf(document.activeElement);
      if (at < 0) { return; }
      var next = links[at + (e.key === "ArrowDown" ? 1 : -1)];
      if (next) { next.focus(); e.preventDefault(); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("job-progress");
    if (box && !document.getElementById("job-error").textContent) { poll(box); }
    var table = document.getElementById("results");
    if (table) { keyboardTable(table); }
  });
})();
