#!/usr/bin/env node
// Real-browser check of a built journeydoc handbook.
//
//   node check.mjs <base-url> <screenshot-dir>
//
// <base-url> is where the handbook's index.html lives, e.g.
//   file:///abs/path/public/   or   http://127.0.0.1:PORT/handbook/
//
// Uses the system Chromium (/usr/bin/chromium, or $JOURNEYDOC_CHROMIUM) via
// playwright-core; it never downloads a browser. Prints one JSON summary line
// on stdout, and exits 1 listing every failure on stderr (2 for bad usage or
// a browser that cannot start).

import { CHROMIUM, launch } from "./chromium.mjs";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";

const PAGES = [
  "index.html",
  "journeys/carla/activity.html",
  "insights.html",
  "touchpoints/call-centre.html",
  "personas/carla.html",
  "lenses/b2b.html",
  "glossary.html",
  "journeys/carla/activity-future.html",
  "research/index.html",
  "research/call-centre-logs.html",
  "metrics/index.html",
  "metrics/csat.html",
  "journeys/tomas/functional.html",
  "opportunities/index.html",
  "opportunities/room-facts.html",
];
// Pages whose full-page screenshots are kept: <name>-desktop.png, <name>-phone.png.
const SHOTS = {
  "index.html": "home",
  "journeys/carla/activity.html": "journey",
  "insights.html": "insights",
  "personas/carla.html": "persona",
  "journeys/carla/activity-future.html": "future",
  "research/call-centre-logs.html": "study",
  "metrics/csat.html": "metric",
  "journeys/tomas/functional.html": "measured-journey",
  "opportunities/index.html": "portfolio",
  "opportunities/room-facts.html": "opportunity",
};
const VIEWPORTS = {
  desktop: { width: 1366, height: 900 },
  phone: { width: 375, height: 812 },
};
const NAV_TIMEOUT = 30_000;
const WAIT_TIMEOUT = 10_000;
const WATCHDOG = 5 * 60_000;

function usage(msg) {
  if (msg) console.error(`check.mjs: ${msg}`);
  console.error("usage: node check.mjs <base-url> <screenshot-dir>");
  console.error("  e.g. node check.mjs file:///abs/path/public/ /tmp/shots");
  console.error("       node check.mjs http://127.0.0.1:8000/handbook/ /tmp/shots");
  process.exit(2);
}

const [rawBase, shotArg] = process.argv.slice(2);
if (!rawBase || !shotArg || process.argv.length > 4) usage();
let base;
try {
  base = new URL(rawBase);
} catch {
  usage(`not a URL: ${rawBase}`);
}
if (!["file:", "http:", "https:"].includes(base.protocol)) usage(`unsupported scheme ${base.protocol}`);
if (!base.pathname.endsWith("/")) base.pathname += "/";
base.search = "";
base.hash = "";
const BASE = base.href;
const IS_FILE = base.protocol === "file:";
const shotDir = resolvePath(shotArg);
mkdirSync(shotDir, { recursive: true });
if (!existsSync(CHROMIUM)) {
  console.error(`check.mjs: no Chromium at ${CHROMIUM}; install it with: apt-get install chromium`);
  process.exit(2);
}

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
const stripHash = (u) => u.split("#")[0];
// Requests that contact no host at all.
const isLocalScheme = (u) => u.startsWith("data:") || u.startsWith("blob:") || u === "about:blank";
const underBase = (u) => stripHash(u).startsWith(BASE);
const rel = (u) => (underBase(u) ? stripHash(u).slice(BASE.length) : u);

const watchdog = setTimeout(() => {
  console.error(`check.mjs: gave up after ${WATCHDOG / 1000} s; failures so far:\n - ${failures.join("\n - ")}`);
  process.exit(1);
}, WATCHDOG);

// Does `url` (absolute, under the base) name an existing page?
async function exists(context, url) {
  const u = stripHash(url);
  if (IS_FILE) {
    try {
      return statSync(fileURLToPath(u)).isFile();
    } catch {
      return false;
    }
  }
  const res = await context.request.get(u, { maxRedirects: 0, failOnStatusCode: false });
  return res.status() === 200;
}

// A page with every listener that turns into a failure.
async function openPage(context, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_TIMEOUT);
  page.setDefaultNavigationTimeout(NAV_TIMEOUT);
  const where = () => `${label} (${rel(page.url())})`;
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      fail(where(), `console error: ${msg.text()}${loc && loc.url ? ` at ${rel(loc.url)}:${loc.lineNumber}` : ""}`);
    }
  });
  page.on("pageerror", (err) => fail(where(), `page error: ${err.message}`));
  page.on("request", (req) => {
    const u = req.url();
    if (isLocalScheme(u)) return;
    if (!underBase(u)) fail(where(), `request outside ${BASE}: ${req.method()} ${u}`);
  });
  page.on("requestfailed", (req) => {
    // Requests outside the base are aborted on purpose (see the route below)
    // and already reported.
    if (!underBase(req.url()) && !isLocalScheme(req.url())) return;
    fail(where(), `request failed: ${rel(req.url())} (${req.failure()?.errorText ?? "unknown error"})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) fail(where(), `HTTP ${res.status()} for ${rel(res.url())}`);
  });
  page.on("websocket", (ws) => fail(where(), `websocket opened: ${ws.url()}`));
  return page;
}

// Navigates and checks the landing: status, error page, title, data-root.
async function visit(page, url, label) {
  let res;
  try {
    res = await page.goto(url, { waitUntil: "load" });
  } catch (err) {
    fail(label, `navigation to ${rel(url)} failed: ${err.message.split("\n")[0]}`);
    return false;
  }
  return landed(page, res, label);
}

async function landed(page, res, label) {
  const url = page.url();
  if (url.startsWith("chrome-error:")) {
    fail(label, "landed on a browser error page");
    return false;
  }
  if (!underBase(url)) fail(label, `landed outside the base: ${url}`);
  if (res && !IS_FILE && !res.ok()) fail(label, `HTTP ${res.status()} for ${rel(url)}`);
  if (!res && !IS_FILE) fail(label, `no HTTP response for ${rel(url)}`);
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const info = await page.evaluate(() => ({
    title: document.title.trim(),
    root: document.body ? document.body.getAttribute("data-root") : null,
    hasSearch: !!document.getElementById("search-input") && !!document.getElementById("search-results"),
  }));
  if (!info.title) fail(label, `empty <title> on ${rel(url)}`);
  if (!info.hasSearch) fail(label, `no #search-input / #search-results on ${rel(url)}`);
  if (info.root === null) fail(label, `no <body data-root> on ${rel(url)}`);
  else if (new URL(info.root || "./", stripHash(url)).href !== BASE)
    fail(label, `data-root="${info.root}" on ${rel(url)} resolves to ${new URL(info.root || "./", url).href}, not ${BASE}`);
  return true;
}

// Horizontal overflow of the document, with the elements that stick out
// (ignoring those clipped by a scrolling or clipping ancestor such as .map).
async function overflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const vw = window.innerWidth;
    const res = { scrollWidth: doc.scrollWidth, innerWidth: vw, clientWidth: doc.clientWidth, offenders: [] };
    if (doc.scrollWidth <= vw) return res;
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body && p !== doc; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox !== "visible") return true;
      }
      return false;
    };
    const name = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += "#" + el.id;
      if (el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
      return s;
    };
    const path = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(name(e));
      return parts.join(" > ");
    };
    const found = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > vw + 0.5 && !clipped(el)) found.push({ el: path(el), right: Math.round(r.right), width: Math.round(r.width) });
    }
    found.sort((a, b) => b.right - a.right);
    res.offenders = found.slice(0, 5);
    return res;
  });
}

// Types `query` into the search box and returns the result links.
async function search(page, query, label) {
  const input = page.locator("#search-input");
  await input.click();
  await input.pressSequentially(query, { delay: 20 });
  try {
    await page.waitForSelector("#search-results a", { state: "visible", timeout: WAIT_TIMEOUT });
  } catch {
    const text = await page.locator("#search-results").innerText().catch(() => "");
    fail(label, `no search results for "${query}" within ${WAIT_TIMEOUT / 1000} s (list says: ${JSON.stringify(text.trim())})`);
    return [];
  }
  return page.$$eval("#search-results li", (lis) =>
    lis
      .filter((li) => li.querySelector("a"))
      .map((li) => {
        const a = li.querySelector("a");
        const k = li.querySelector(".kind");
        return { title: a.textContent.trim(), kind: k ? k.textContent.trim() : "", attr: a.getAttribute("href"), href: a.href };
      }),
  );
}

// Clicks result `index` (the first by default) and checks where it lands.
async function follow(page, results, label, index = 0) {
  const target = results[index];
  let mainResponse = null;
  const onResponse = (r) => {
    if (r.frame() === page.mainFrame() && r.request().isNavigationRequest()) mainResponse = r;
  };
  page.on("response", onResponse);
  try {
    // Wait for a new document, not just a matching URL: the first result
    // may be the very page we are on.
    await Promise.all([
      page.waitForEvent("framenavigated", { predicate: (f) => f === page.mainFrame(), timeout: NAV_TIMEOUT }),
      page.locator("#search-results a").nth(index).click(),
    ]);
    await page.waitForLoadState("load");
    if (stripHash(page.url()) !== stripHash(target.href)) throw new Error(`went to ${page.url()}`);
  } catch (err) {
    fail(label, `clicking result ${index + 1} "${target.title}" (${target.attr}) did not reach ${rel(target.href)}: ${err.message.split("\n")[0]}`);
    return null;
  } finally {
    page.off("response", onResponse);
  }
  await landed(page, mainResponse, label);
  return { clicked: target.title, landed: rel(page.url()), title: await page.title(), status: mainResponse ? mainResponse.status() : null };
}

const summary = {
  base: BASE,
  chromium: null,
  pages: [],
  search: {},
  screenshots: [],
  failures,
};

let browser;
try {
  browser = await launch({ timeout: 60_000 });
} catch (err) {
  console.error(`check.mjs: could not start ${CHROMIUM}: ${err.message}`);
  process.exit(2);
}
summary.chromium = browser.version();

try {
  const contexts = {};
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, serviceWorkers: "block" });
    // Nothing outside the base may be contacted: abort such requests (they
    // are reported by the "request" listener).
    await context.route(
      (url) => !isLocalScheme(url.href) && !underBase(url.href),
      (route) => route.abort("blockedbyclient"),
    );
    contexts[name] = context;
  }

  // 1. Every page at both widths.
  for (const path of PAGES) {
    for (const [vp, context] of Object.entries(contexts)) {
      const label = `${path} @${vp}`;
      const page = await openPage(context, label);
      const entry = { page: path, viewport: vp };
      if (await visit(page, BASE + path, label)) {
        entry.title = await page.title();
        if (vp === "phone") {
          const o = await overflow(page);
          Object.assign(entry, { scrollWidth: o.scrollWidth, innerWidth: o.innerWidth });
          if (o.scrollWidth > o.innerWidth)
            fail(label, `horizontal scroll at ${o.innerWidth} px: documentElement.scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}` +
              (o.offenders.length ? `; sticking out: ${o.offenders.map((x) => `${x.el} (right ${x.right}, width ${x.width})`).join("; ")}` : ""));
        }
        const map = await page.evaluate(() => {
          const m = document.querySelector(".map");
          if (!m) return null;
          return { scrollWidth: m.scrollWidth, clientWidth: m.clientWidth, overflowX: getComputedStyle(m).overflowX };
        });
        if (map) {
          entry.map = map;
          if (map.scrollWidth > map.clientWidth && !["auto", "scroll"].includes(map.overflowX))
            fail(label, `.map is ${map.scrollWidth} px wide inside ${map.clientWidth} px but overflow-x is ${map.overflowX}, not auto/scroll`);
        }
        if (SHOTS[path]) {
          const file = `${SHOTS[path]}-${vp}.png`;
          await page.screenshot({ path: `${shotDir}/${file}`, fullPage: true });
          summary.screenshots.push(file);
        }
      }
      summary.pages.push(entry);
      await page.close();
    }
  }

  // 2. Search from the home page.
  {
    const label = 'search "call centre" on index.html';
    const page = await openPage(contexts.desktop, label);
    if (await visit(page, BASE + "index.html", label)) {
      const results = await search(page, "call centre", label);
      summary.search.home = { query: "call centre", count: results.length, results: results.slice(0, 5).map((r) => `${r.kind}: ${r.title} -> ${r.attr}`) };
      if (results.length) {
        const good = results.some((r) => (r.kind === "Touchpoint" && /call centre/i.test(r.title)) || r.kind === "Journey");
        if (!good) fail(label, `no "Call centre" touchpoint and no journey among ${results.length} results: ${results.map((r) => `${r.kind}: ${r.title}`).join(", ")}`);
        for (const r of results) {
          if (!underBase(r.href)) fail(label, `result "${r.title}" links outside the base: ${r.href}`);
          else if (!(await exists(contexts.desktop, r.href))) fail(label, `result "${r.title}" links to a missing page: ${r.attr} -> ${rel(r.href)}`);
        }
        summary.search.home.followed = await follow(page, results, label);
      }
    }
    await page.close();
  }

  // 3. Search from a nested page: hrefs must go back through data-root.
  {
    const path = "journeys/carla/activity.html";
    const label = `search "backpack" on ${path}`;
    const page = await openPage(contexts.desktop, label);
    if (await visit(page, BASE + path, label)) {
      const results = await search(page, "backpack", label);
      summary.search.nested = { query: "backpack", count: results.length, results: results.slice(0, 5).map((r) => `${r.kind}: ${r.title} -> ${r.attr}`) };
      for (const r of results) {
        if (!r.attr.startsWith("../../")) fail(label, `result "${r.title}" href "${r.attr}" does not start with the page's root "../../"`);
        if (!underBase(r.href)) fail(label, `result "${r.title}" resolves outside the base: ${r.href}`);
        else if (!(await exists(contexts.desktop, r.href))) fail(label, `result "${r.title}" resolves to a missing page: ${r.attr} -> ${rel(r.href)}`);
      }
      if (results.length) summary.search.nested.followed = await follow(page, results, label);
      // The first hit may be this very page; also follow the first one in
      // another folder, which only works if data-root is right.
      const other = results.findIndex((r) => !r.attr.startsWith("../../journeys/carla/"));
      if (other >= 0 && (await visit(page, BASE + path, label))) {
        const again = await search(page, "backpack", label);
        if (again.length > other) summary.search.nested.followedOther = await follow(page, again, label, other);
      }
    }
    await page.close();
  }

  // 4. The open results list on a phone must not widen the page either.
  {
    const label = 'search "backpack" on index.html @phone';
    const page = await openPage(contexts.phone, label);
    if (await visit(page, BASE + "index.html", label)) {
      const results = await search(page, "backpack", label);
      if (results.length) {
        const o = await overflow(page);
        summary.search.phone = { count: results.length, scrollWidth: o.scrollWidth, innerWidth: o.innerWidth };
        if (o.scrollWidth > o.innerWidth)
          fail(label, `open results widen the page: scrollWidth ${o.scrollWidth} > innerWidth ${o.innerWidth}` +
            (o.offenders.length ? `; sticking out: ${o.offenders.map((x) => `${x.el} (right ${x.right})`).join("; ")}` : ""));
        await page.screenshot({ path: `${shotDir}/search-phone.png` });
        summary.screenshots.push("search-phone.png");
      }
    }
    await page.close();
  }
} catch (err) {
  fail("check.mjs", `unexpected error: ${err.stack || err}`);
} finally {
  await browser.close().catch(() => {});
  clearTimeout(watchdog);
}

console.log(JSON.stringify(summary));
if (failures.length) {
  console.error(`browser check FAILED against ${BASE}: ${failures.length} failure(s):`);
  for (const f of failures) console.error(` - ${f}`);
  process.exit(1);
}
console.error(`browser check passed against ${BASE}: ${PAGES.length} pages x ${Object.keys(VIEWPORTS).length} widths, 2 searches; screenshots in ${shotDir}`);
