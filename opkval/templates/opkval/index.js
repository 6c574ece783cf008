// The kommune table: sort by a column (header buttons: mouse, or Tab and Enter/Space) and
// filter rows by text. No dependencies; works opened from the file system.
// Sort keys come from the page (data-sort, written by opkval.site with opkval.fmt.sort_key for
// text), so a click sorts in the same Danish order the page was written in.
// The search finds every spelling `opkval report --kommune` accepts: each row lists the keys
// opkval.kommune.KommuneIndex.resolve compares with (data-search); the query is normalised the
// same way (opkval.kommune._key) and tried in its ASCII variants (æ: ae/a/e, ø: oe/o, å: aa/a).
(function () {
  var table = document.getElementById("kommuner");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var count = document.getElementById("count");
  var headers = table.tHead.rows[0].cells;
  var sortedBy = "";
  var VARIANTS = { "æ": ["ae", "a", "e"], "ø": ["oe", "o"], "å": ["aa", "a"] };

  function key(row, i) {
    var c = row.cells[i], v = c.getAttribute("data-sort");
    if (v === null) v = c.textContent.trim().toLowerCase();
    var n = Number(v);
    return v !== "" && !isNaN(n) ? n : v;
  }
  function compare(x, y) {
    if (typeof x === "number" && typeof y === "number") return x - y;
    x = String(x); y = String(y);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  function sortBy(i) {
    var th = headers[i];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    for (var j = 0; j < headers.length; j++) headers[j].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var r = compare(key(a, i), key(b, i));
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    sortedBy = ", sorteret efter " + th.textContent.trim() + (asc ? ", stigende" : ", faldende");
    announce();
  }
  for (var i = 0; i < headers.length; i++) {
    (function (i) {
      // A <button>: Enter and Space click it, and Tab reaches it.
      headers[i].querySelector("button").addEventListener("click", function () { sortBy(i); });
    })(i);
  }

  function normalise(text) {  // opkval.kommune._key
    var s = text.normalize("NFC").toLowerCase().trim().replace(/[^0-9a-zæøåéüöä]+/g, "");
    ["regionskommune", "kommune"].forEach(function (suffix) {
      if (s.length > suffix.length && s.slice(-suffix.length) === suffix) {
        s = s.slice(0, -suffix.length);
      }
    });
    return s;
  }
  function variants(q) {  // opkval.kommune._ascii_variants, bounded the same way
    var out = [""], many = 0;
    for (var i = 0; i < q.length; i++) if (VARIANTS[q[i]]) many++;
    for (var j = 0; j < q.length; j++) {
      var opts = VARIANTS[q[j]] ? (many > 6 ? [VARIANTS[q[j]][0]] : VARIANTS[q[j]]) : [q[j]];
      var next = [];
      out.forEach(function (p) { opts.forEach(function (o) { next.push(p + o); }); });
      out = next;
    }
    return out;
  }
  function matches(row, text, keys) {
    if (row.textContent.toLowerCase().indexOf(text) >= 0) return true;
    if (!keys.length) return false;
    var spellings = (row.getAttribute("data-search") || "").split(" ");
    return keys.some(function (k) {
      return spellings.some(function (s) { return s.indexOf(k) >= 0; });
    });
  }
  function announce() {
    var shown = 0;
    for (var i = 0; i < body.rows.length; i++) if (!body.rows[i].hidden) shown++;
    count.textContent = shown + " af " + body.rows.length + " kommuner vises" + sortedBy + ".";
  }
  function apply() {
    var text = filter.value.trim().toLowerCase();
    var q = normalise(filter.value);
    var keys = q ? [q].concat(variants(q)) : [];
    for (var i = 0; i < body.rows.length; i++) {
      var r = body.rows[i];
      r.hidden = !(!text || matches(r, text, keys));
    }
    announce();
  }
  filter.addEventListener("input", apply);
  apply();
})();
