// Pipeline dashboard: live refresh of the parts a page marks with data-live, sorting of tables marked sortable, text
// filters, and colouring of token strips. Plain script, served by the app and inlined into report.html.
(function () {
  "use strict";
  var sortState = {};   // table id -> { column, direction }, re-applied after a live refresh

  function cellValue(row, column) {
    var cell = row.cells[column];
    if (!cell) return "";
    return cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
  }

  function sortTable(table, column, direction) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var v = cellValue(r, column); return v === "" || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = cellValue(a, column), y = cellValue(b, column);
      var order;
      if (numeric) {
        // Empty (undefined) values sort last either way.
        if (x === "" || y === "") return x === y ? 0 : (x === "" ? 1 : -1);
        order = Number(x) - Number(y);
      } else {
        order = x.localeCompare(y);
      }
      return direction === "asc" ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      if (i === column) th.setAttribute("data-sort", direction); else th.removeAttribute("data-sort");
    });
    if (table.id) sortState[table.id] = { column: column, direction: direction };
  }

  function filterTable(table, text) {
    var words = text.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var content = row.textContent.toLowerCase();
      var match = words.every(function (w) { return content.indexOf(w) >= 0; });
      row.classList.toggle("hidden", !match);
      if (match) shown++;
    });
    var count = document.querySelector('[data-count-for="' + table.id + '"]');
    if (count) count.textContent = shown + " of " + table.tBodies[0].rows.length + " shown";
  }

  function colourTokens(table, statistic) {
    var tokens = table.querySelectorAll(".token");
    var values = [];
    tokens.forEach(function (t) { var v = t.getAttribute("data-" + statistic); if (v !== null) values.push(Number(v)); });
    var min = Math.min.apply(null, values), max = Math.max.apply(null, values);
    // Low values red, high values green: low log-prob, self-certainty and top-1 mean an unsure model. Entropy reads
    // the other way round, so its scale is flipped.
    var flip = statistic === "entropy";
    tokens.forEach(function (t) {
      var v = t.getAttribute("data-" + statistic);
      if (v === null || !(max > min)) { t.style.background = "#eee"; return; }
      var f = (Number(v) - min) / (max - min);
      if (flip) f = 1 - f;
      t.style.background = "hsl(" + Math.round(120 * f) + ", 70%, 82%)";
    });
  }

  function enhance(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      if (!table.tHead) return;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
        th.addEventListener("click", function () {
          var next = th.getAttribute("data-sort") === "asc" ? "desc" : "asc";
          sortTable(table, i, next);
        });
      });
      var state = table.id && sortState[table.id];
      if (state) sortTable(table, state.column, state.direction);
      var filter = document.querySelector('[data-filter-for="' + table.id + '"]');
      if (filter && filter.value) filterTable(table, filter.value);
    });
  }

  document.querySelectorAll("[data-filter-for]").forEach(function (input) {
    input.addEventListener("input", function () {
      var table = document.getElementById(input.getAttribute("data-filter-for"));
      if (table) filterTable(table, input.value);
    });
  });
  document.querySelectorAll("[data-token-colour-for]").forEach(function (select) {
    var table = document.getElementById(select.getAttribute("data-token-colour-for"));
    if (!table) return;
    select.addEventListener("change", function () { colourTokens(table, select.value); });
    colourTokens(table, select.value);
  });
  enhance(document);

  // Live parts: poll every two seconds while the page is visible; the server answers 204 while nothing changed.
  document.querySelectorAll("[data-live]").forEach(function (live) {
    var busy = false;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      var url = live.getAttribute("data-live") + "?version=" + encodeURIComponent(live.getAttribute("data-version") || "");
      fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
        if (response.status !== 200) return null;
        var version = response.headers.get("X-Version");
        return response.text().then(function (html) {
          live.innerHTML = html;
          if (version) live.setAttribute("data-version", version);
          live.setAttribute("data-refreshed", new Date().toISOString());
          enhance(live);
        });
      }).catch(function () { /* the next tick tries again */ }).then(function () { busy = false; });
    }
    setInterval(refresh, 2000);
  });
})();
