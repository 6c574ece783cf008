// Sort the kommune table by clicking a header; filter its rows by text. No dependencies.
(function () {
  var table = document.getElementById("kommuner");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var count = document.getElementById("count");
  function key(row, i) {
    var c = row.cells[i], v = c.getAttribute("data-sort");
    if (v === null) v = c.textContent.trim();
    var n = parseFloat(v);
    return isNaN(n) || /[^0-9.\-]/.test(v) ? v.toLowerCase() : n;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(th.parentNode.cells, function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i), y = key(b, i);
        var r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "da");
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  function apply() {
    var q = filter.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.style.display = hit ? "" : "none";
      if (hit) shown++;
    });
    count.textContent = shown + " af " + body.rows.length + " kommuner";
  }
  filter.addEventListener("input", apply);
  apply();
})();
