// journeydoc search. The index is sharded (see src/render/search.rs):
// search/index.js lists the term shards; each word of the query loads the
// shard of its first two letters (search/t-<key>.js), and the results shown
// load the chunks of the document table they are in (search/d-<n>.js).
// Every file is a <script>, so it also works from file://.
(function () {
  "use strict";
  var input, list, root, asked = 0;
  var files = {}, waiting = {};

  // Each index file calls this when it has loaded.
  window.JOURNEYDOC_SEARCH = {
    add: function (name, data) {
      files[name] = data;
      var cbs = waiting[name] || [];
      delete waiting[name];
      cbs.forEach(function (cb) { cb(); });
    }
  };

  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // Mirrors search::shard_key: the first two characters, non [a-z0-9] as _hex.
  function shardKey(term) {
    return Array.from(term).slice(0, 2).map(function (c) {
      return /^[a-z0-9]$/.test(c) ? c : "_" + c.codePointAt(0).toString(16);
    }).join("");
  }

  // Loads the named files (once each), then calls `then`.
  function need(names, then, failed) {
    var left = 0, done = false;
    function one() { if (--left === 0 && !done) { done = true; then(); } }
    names.forEach(function (name) {
      if (files[name]) return;
      left++;
      if (waiting[name]) { waiting[name].push(one); return; }
      waiting[name] = [one];
      var s = document.createElement("script");
      s.src = root + "search/" + name + ".js";
      s.onerror = function () { delete waiting[name]; if (!done) { done = true; failed(); } };
      document.head.appendChild(s);
    });
    if (left === 0) { done = true; then(); }
  }

  // Documents holding a word that starts with `term`: id -> 1 if in a title.
  function lookup(term) {
    var shard = files["t-" + shardKey(term)] || {}, hits = {};
    Object.keys(shard).forEach(function (word) {
      if (word.lastIndexOf(term, 0) !== 0) return;
      var id = 0;
      shard[word].split(",").forEach(function (d) {
        id += parseInt(d, 36);
        var doc = id >> 1;
        hits[doc] = Math.max(hits[doc] || 0, id & 1);
      });
    });
    return hits;
  }

  function show(items) {
    list.innerHTML = "";
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "muted";
      li.textContent = input.dataset.empty;
      list.appendChild(li);
    }
    items.forEach(function (d) {
      var li = document.createElement("li"), a = document.createElement("a"), k = document.createElement("span");
      a.href = root + d[1];
      a.textContent = d[0];
      k.className = "kind";
      k.textContent = d[2];
      li.appendChild(a);
      li.appendChild(k);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function failed() {
    list.hidden = false;
    list.innerHTML = "<li class=\"muted\">" + input.dataset.failed + "</li>";
  }

  function search() {
    var q = fold(input.value).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; });
    var mine = ++asked;
    if (!q.length) { list.hidden = true; list.innerHTML = ""; return; }
    if (!files.index) {
      list.hidden = false;
      list.innerHTML = "<li class=\"muted\">" + input.dataset.loading + "</li>";
    }
    need(["index"], function () {
      var index = files.index, shards = {};
      index.shards.forEach(function (k) { shards[k] = true; });
      // A word whose shard does not exist matches nothing.
      if (q.some(function (t) { return !shards[shardKey(t)]; })) { if (mine === asked) show([]); return; }
      need(q.map(function (t) { return "t-" + shardKey(t); }), function () {
        if (mine !== asked) return;
        var scores = null;
        q.forEach(function (t) {
          var hits = lookup(t), next = {};
          Object.keys(hits).forEach(function (doc) {
            if (scores === null || doc in scores) next[doc] = (scores ? scores[doc] : 0) + (hits[doc] ? 10 : 1);
          });
          scores = next;
        });
        var top = Object.keys(scores).map(Number).sort(function (a, b) {
          return scores[b] - scores[a] || a - b;
        }).slice(0, 20);
        var chunks = {};
        top.forEach(function (doc) { chunks["d-" + Math.floor(doc / index.chunk)] = true; });
        need(Object.keys(chunks), function () {
          if (mine !== asked) return;
          show(top.map(function (doc) { return files["d-" + Math.floor(doc / index.chunk)][doc % index.chunk]; }));
        }, failed);
      }, failed);
    }, failed);
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
