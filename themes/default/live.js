(function () {
  // journeydoc serve: reload after each rebuild (keeping the scroll
  // position), and show content errors in an overlay until they are fixed.
  var key = "journeydoc-scroll:" + location.pathname, known = null;
  var here = location.pathname;
  try { here = decodeURIComponent(here); } catch (e) { /* keep it encoded */ }
  if (here.slice(-1) === "/") here += "index.html";
  var y = sessionStorage.getItem(key);
  if (y !== null) {
    sessionStorage.removeItem(key);
    // A jump, never a glide (prefers-reduced-motion).
    addEventListener("load", function () { scrollTo({ top: +y, left: 0, behavior: "instant" }); });
  }
  function reload() { sessionStorage.setItem(key, String(scrollY)); location.reload(); }
  function hide() { var o = document.getElementById("journeydoc-overlay"); if (o) o.remove(); }
  function show(list) {
    hide();
    var o = document.createElement("div");
    o.id = "journeydoc-overlay";
    o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;background:rgba(20,24,31,.94);color:#f3f4f6;font:14px/1.5 ui-monospace,monospace;padding:2rem";
    var h = document.createElement("h2");
    h.textContent = "The handbook has errors (still showing the last good build)";
    h.style.cssText = "font:600 18px system-ui,sans-serif;margin:0 0 1rem;color:#fca5a5";
    o.appendChild(h);
    list.forEach(function (d) {
      var p = document.createElement("pre");
      p.style.cssText = "white-space:pre-wrap;margin:0 0 1.25rem";
      var where = (d.file || "") + (d.line ? ":" + d.line + ":" + d.column : "");
      p.textContent = where + ": error: " + d.message + (d.source ? "\n  | " + d.source : "") + (d.help ? "\n  = help: " + d.help : "");
      o.appendChild(p);
    });
    document.body.appendChild(o);
  }
  function connect() {
    var es = new EventSource("/__journeydoc/events");
    es.addEventListener("hello", function (e) {
      if (known !== null && e.data !== known) reload();
      known = e.data;
    });
    // Only the tabs showing a page that changed reload ("pages" is null
    // when too many changed to list).
    es.addEventListener("reload", function (e) {
      var d = JSON.parse(e.data);
      known = String(d.version);
      if (!d.pages || d.pages.some(function (p) { return here === d.prefix + p || here === "/" + p; })) reload();
    });
    es.addEventListener("problem", function (e) { show(JSON.parse(e.data)); });
    es.addEventListener("fixed", hide);
    es.onerror = function () { es.close(); setTimeout(connect, 1000); };
  }
  connect();
})();
