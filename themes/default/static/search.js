// journeydoc search: loads search-index.js (a <script>, so it also works
// from file://) the first time the reader uses the search box, then matches
// every word of the query against each page's folded words.
(function () {
  "use strict";
  var input, list, root, loading = false;

  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function load(then) {
    if (window.JOURNEYDOC_INDEX) return then();
    if (loading) return;
    loading = true;
    list.hidden = false;
    list.innerHTML = "<li class=\"muted\">" + input.dataset.loading + "</li>";
    var s = document.createElement("script");
    s.src = root + "search-index.js";
    s.onload = then;
    s.onerror = function () {
      loading = false;
      list.innerHTML = "<li class=\"muted\">" + input.dataset.failed + "</li>";
    };
    document.head.appendChild(s);
  }

  function score(doc, terms) {
    var total = 0, title = fold(doc.t);
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i], at = (" " + doc.w).indexOf(" " + t);
      if (at < 0) return 0;
      total += title.indexOf(t) >= 0 ? 10 : 1;
    }
    return total;
  }

  function search() {
    var q = fold(input.value).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; });
    if (!q.length) { list.hidden = true; list.innerHTML = ""; return; }
    load(function () {
      var hits = [];
      window.JOURNEYDOC_INDEX.forEach(function (doc) {
        var s = score(doc, q);
        if (s) hits.push([s, doc]);
      });
      hits.sort(function (a, b) { return b[0] - a[0] || (a[1].t < b[1].t ? -1 : 1); });
      list.innerHTML = "";
      if (!hits.length) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = input.dataset.empty;
        list.appendChild(li);
      }
      hits.slice(0, 20).forEach(function (h) {
        var li = document.createElement("li"), a = document.createElement("a"), k = document.createElement("span");
        a.href = root + h[1].u;
        a.textContent = h[1].t;
        k.className = "kind";
        k.textContent = h[1].k;
        li.appendChild(a);
        li.appendChild(k);
        list.appendChild(li);
      });
      list.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    input = document.getElementById("search-input");
    list = document.getElementById("search-results");
    if (!input || !list) return;
    root = document.body.dataset.root || "";
    input.form.addEventListener("submit", function (e) { e.preventDefault(); });
    input.addEventListener("input", search);
    input.addEventListener("focus", function () { if (input.value) search(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { input.value = ""; list.hidden = true; }
      if (e.key === "Enter") {
        var first = list.querySelector("a");
        if (first) window.location.href = first.href;
      }
    });
    document.addEventListener("click", function (e) {
      if (!e.target.closest || !e.target.closest(".search")) list.hidden = true;
    });
  });
})();
