// Accessibility of a built handbook in the real browser: axe-core's WCAG
// 2.0, 2.1 and 2.2 A and AA rules on the given pages, in the light and dark
// colour schemes, at desktop and phone widths.
//
//   node axe.mjs <base-url> <page> [<page>…]
//
// Each page is loaded with its Content-Security-Policy in force; axe-core is
// put into the page through the DevTools protocol (page.evaluate), which the
// policy does not govern, so the page is checked exactly as readers get it.
// Beside axe's rules, journeydoc's own (in the same shape): the page has a
// `lang`; every chart (inline SVG not hidden) is named and says what it is,
// every mark of the opportunity matrix too; nothing animates when reduced
// motion is asked for; the map's cells have column and row headers as
// Playwright computes ARIA roles; and no page scrolls sideways at 320 or
// 640 CSS px (400 % and 200 % zoom of a 1280 px window).
//
// Prints one JSON line: every violation with its impact, rule, page, scheme,
// width and the first elements; exits 1 when any is serious or critical
// (listing them on stderr), 2 for bad usage.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch } from "./chromium.mjs";

const [base, ...pages] = process.argv.slice(2);
if (!base || pages.length === 0) {
  console.error("usage: node axe.mjs <base-url> <page> [<page>…]");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const VIEWPORTS = { desktop: { width: 1366, height: 900 }, phone: { width: 375, height: 812 } };
const SCHEMES = ["light", "dark"];

const browser = await launch();
const found = [];
try {
  for (const scheme of SCHEMES) {
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport, colorScheme: scheme, reducedMotion: "reduce" });
      // Nothing leaves the handbook.
      await context.route(/^(?!file:|http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
      const page = await context.newPage();
      for (const path of pages) {
        await page.goto(new URL(path, base).href, { waitUntil: "load" });
        await page.evaluate(AXE);
        const result = await page.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
          TAGS,
        );
        for (const v of result.violations.concat(await ours(page))) {
          found.push({
            page: path,
            scheme,
            width,
            impact: v.impact,
            rule: v.id,
            help: v.help,
            count: v.nodes.length,
            targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            summary: v.nodes[0]?.failureSummary?.split("\n").slice(0, 2).join(" "),
          });
        }
      }
      await context.close();
    }
  }
  // Reflow (WCAG 1.4.10): at 320 CSS px, which is 1280 px at 400 % zoom, and
  // at 640 (200 %), no page scrolls sideways; the map and wide tables
  // scroll inside their own boxes, as two-dimensional content may.
  for (const width of [320, 640]) {
    const context = await browser.newContext({ viewport: { width, height: 720 } });
    await context.route(/^(?!file:|http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
    const page = await context.newPage();
    for (const path of pages) {
      await page.goto(new URL(path, base).href, { waitUntil: "load" });
      const wide = await page.evaluate(() => {
        const view = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= view + 1) return [];
        const boxed = (e) => e.closest(".map, .scroll, pre, .search-results");
        return [...document.body.querySelectorAll("*")]
          .filter((e) => !boxed(e.parentElement ?? e) && e.getBoundingClientRect().right > view + 1)
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}${e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : ""} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
      });
      if (wide.length) {
        found.push({ page: path, scheme: "light", width: `${width}px`, impact: "serious", rule: "reflow", help: `the page scrolls sideways at ${width} CSS px`, count: wide.length, targets: wide, summary: "" });
      }
    }
    await context.close();
  }
} finally {
  await browser.close();
}
// journeydoc's own rules, beside axe's, in axe's shape: what a reader who
// cannot see the charts, or who moves by keyboard, relies on.
async function ours(page) {
  const found = await page.evaluate(() => {
    const out = [];
    const add = (id, help, nodes) =>
      nodes.length && out.push({ id, impact: "serious", help, nodes: nodes.map((n) => ({ target: [n], failureSummary: help })) });
    const name = (e) => (e.tagName ? e.tagName.toLowerCase() : "") + (e.getAttribute("class") ? "." + e.getAttribute("class").trim().split(/\s+/).join(".") : "");
    add("html-lang-set", "the page says its language", document.documentElement.lang ? [] : ["html"]);
    // Every chart has a text alternative that carries its data: a name
    // (aria-label or <title>), and in a group (the opportunity matrix)
    // a <title> on every mark.
    const charts = [...document.querySelectorAll("svg")].filter((svg) => !svg.closest("[aria-hidden=true]"));
    add("svg-text-alternative", "a chart has a text alternative", charts
      .filter((svg) => !(svg.getAttribute("aria-label") || "").trim() && !(svg.querySelector(":scope > title")?.textContent || "").trim())
      .map(name));
    add("svg-role", "a chart says what it is (role img or group)", charts
      .filter((svg) => !["img", "group"].includes(svg.getAttribute("role")))
      .map(name));
    add("chart-mark-title", "every mark of a chart says what it is", charts
      .filter((svg) => svg.getAttribute("role") === "group")
      .flatMap((svg) => [...svg.querySelectorAll("a")].filter((a) => !(a.querySelector(":scope > title")?.textContent || "").trim()))
      .map(name));
    // Nothing moves when the reader asks for reduced motion (this context
    // does).
    add("reduced-motion", "nothing animates with prefers-reduced-motion", document.getAnimations().map((a) => name(a.effect?.target ?? document.body)));
    return out;
  });
  // The map as a screen reader gets it: every step's action a column
  // header, every lane a row header (Playwright's ARIA roles).
  for (const grid of await page.locator("table.grid").all()) {
    const steps = await grid.locator("tr.lane-action > .step:not(.empty)").count();
    const lanes = await grid.locator("tr").count();
    const columns = await grid.getByRole("columnheader").count();
    const rows = await grid.getByRole("rowheader").count();
    const stages = await grid.locator("th.stage").count();
    if (columns !== steps + stages || rows !== lanes) {
      found.push({ id: "map-headers", impact: "serious", help: `the map's cells have their headers (column headers ${columns}, want ${steps + stages}; row headers ${rows}, want ${lanes})`, nodes: [{ target: ["table.grid"], failureSummary: "" }] });
    }
  }
  return found;
}

const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
console.log(JSON.stringify({ pages: pages.length, runs: pages.length * 6, violations: found }));
if (bad.length) {
  for (const v of bad) {
    console.error(`${v.impact} ${v.rule} on ${v.page} (${v.scheme}, ${v.width}): ${v.count}× ${v.help}; ${v.targets.join(" | ")} — ${v.summary}`);
  }
  process.exit(1);
}
