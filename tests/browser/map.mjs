#!/usr/bin/env node
// The journey map as a director sees it, in the system Chromium.
//
//   node map.mjs <site-dir> <screenshot-dir> <pdf-dir>
//
// For every journey page of the built handbook in <site-dir> (opened from
// file://):
//  * at 1440 × 900: a journey of up to 12 steps has no sideways scroll in
//    its grid; no cell's content is wider than its cell; the stage row and
//    the emotion curve are inside the first 900 pixels;
//  * a grid that does scroll sideways keeps its lane names in view;
//  * at 375 × 812 the page never scrolls sideways;
//  * printed (Chromium's print to PDF, A4 landscape as the stylesheet asks)
//    into <pdf-dir>/<persona>-<lens>.pdf, for the caller to read back with
//    pdftotext: the list of actions is printed on stdout as JSON.
// Screenshots: journey-1440.png (the first journey given by JOURNEYDOC_SHOT,
// or carla/activity), journey-scrolled.png.
// Exits 1 listing every failure on stderr.

import { launch } from "./chromium.mjs";
import { mkdirSync, readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [siteArg, shotArg, pdfArg] = process.argv.slice(2);
if (!siteArg || !shotArg || !pdfArg) {
  console.error("usage: node map.mjs <site-dir> <screenshot-dir> <pdf-dir>");
  process.exit(2);
}
const site = resolve(siteArg);
const shots = resolve(shotArg);
const pdfs = resolve(pdfArg);
mkdirSync(shots, { recursive: true });
mkdirSync(pdfs, { recursive: true });
const SHOT = process.env.JOURNEYDOC_SHOT || "journeys/carla/activity.html";

const journeys = [];
for (const persona of readdirSync(join(site, "journeys"), { withFileTypes: true })) {
  if (!persona.isDirectory()) continue;
  for (const f of readdirSync(join(site, "journeys", persona.name))) {
    if (f.endsWith(".html")) journeys.push(`journeys/${persona.name}/${f}`);
  }
}
journeys.sort();
if (journeys.length === 0) {
  console.error(`map.mjs: no journey pages under ${site}/journeys`);
  process.exit(2);
}

const failures = [];
const fail = (where, what) => failures.push(`${where}: ${what}`);
const watchdog = setTimeout(() => {
  console.error(`map.mjs: gave up after 4 minutes; failures so far:\n - ${failures.join("\n - ")}`);
  process.exit(1);
}, 4 * 60_000);

const browser = await launch();
const report = [];
try {
  const wide = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const phone = await browser.newPage({ viewport: { width: 375, height: 812 } });
  for (const rel of journeys) {
    const url = pathToFileURL(join(site, rel)).href;
    await wide.goto(url);
    const m = await wide.evaluate(() => {
      const map = document.querySelector(".map");
      const grid = map.querySelector("table.grid");
      const steps = grid.querySelectorAll("tr.lane-action .step:not(.empty)").length;
      const actions = [...grid.querySelectorAll("tr.lane-action .step:not(.empty)")].map((td) =>
        // the action's own text, without its transaction/drop-off tags
        [...td.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim(),
      );
      // Content wider than its cell (1 px of rounding allowed).
      const overflowing = [...grid.querySelectorAll("td, th")]
        .filter((c) => !c.classList.contains("curve-cell") && c.scrollWidth > c.clientWidth + 1)
        .map((c) => `${c.closest("tr").className}: ${c.textContent.trim().slice(0, 40)}`);
      const stage = grid.querySelector("tr.lane-stage").getBoundingClientRect();
      const curve = grid.querySelector("svg.curve").getBoundingClientRect();
      return {
        steps,
        actions,
        overflowing,
        scroll: map.scrollWidth - map.clientWidth,
        stageBottom: stage.bottom,
        curveBottom: curve.bottom,
        lanes: [...grid.querySelectorAll("tbody th[scope=row]")].map((th) => th.textContent.trim()),
      };
    });
    if (m.steps <= 12 && m.scroll > 0) fail(rel, `${m.steps} steps, but the grid scrolls sideways by ${m.scroll}px at 1440 × 900`);
    for (const o of m.overflowing) fail(rel, `a cell's content is wider than the cell: ${o}`);
    if (m.stageBottom > 900) fail(rel, `the stage row ends at ${m.stageBottom}px, below a 900-pixel window`);
    if (m.curveBottom > 900) fail(rel, `the emotion curve ends at ${Math.round(m.curveBottom)}px, below a 900-pixel window`);
    if (rel === SHOT) await wide.screenshot({ path: join(shots, "journey-1440.png") });
    if (m.scroll > 0) {
      // Scrolled to the far right, the lane names are still at the box's left edge.
      const pinned = await wide.evaluate(() => {
        const map = document.querySelector(".map");
        map.scrollLeft = map.scrollWidth;
        const box = map.getBoundingClientRect();
        return [...map.querySelectorAll("tbody th[scope=row]")].every((th) => {
          const r = th.getBoundingClientRect();
          return r.left >= box.left - 1 && r.right <= box.left + 200 && r.width > 20;
        }) && map.scrollLeft > 0;
      });
      if (!pinned) fail(rel, "after scrolling the grid sideways the lane names are out of view");
      if (rel === SHOT) await wide.screenshot({ path: join(shots, "journey-scrolled.png") });
    }
    await phone.goto(url);
    const sideways = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (sideways > 0) fail(rel, `at 375 px the page scrolls sideways by ${sideways}px`);
    const pdf = join(pdfs, rel.replace(/^journeys\//, "").replace("/", "-").replace(/\.html$/, ".pdf"));
    await wide.emulateMedia({ media: "print" });
    await wide.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
    await wide.emulateMedia({ media: "screen" });
    report.push({ page: rel, pdf, steps: m.steps, actions: m.actions, lanes: m.lanes });
  }
} finally {
  await browser.close();
  clearTimeout(watchdog);
}
if (failures.length) {
  console.error(`map.mjs: ${failures.length} failure(s):\n - ${failures.join("\n - ")}`);
  process.exit(1);
}
if (!existsSync(join(shots, "journey-1440.png"))) {
  console.error(`map.mjs: ${SHOT} is not among the journeys, no screenshot taken`);
  process.exit(1);
}
console.log(JSON.stringify(report));
