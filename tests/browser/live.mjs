#!/usr/bin/env node
// Live reload of `journeydoc serve` in the system Chromium.
//
//   node live.mjs <server-url> <journey-path> <other-path> <file> <from> <to>
//
// Opens the journey page and another page in two tabs, scrolls the journey
// tab, then replaces <from> by <to> in <file> (the journey's source). The
// journey tab must reload by itself, show <to> and keep its scroll
// position; the other tab, whose page the edit does not touch, must not
// reload. Then the file is broken (an unknown persona): the journey tab must
// show the error overlay; fixed again, the overlay must go. No console
// errors in either tab. Prints a JSON summary; exits 1 listing failures.

import { launch } from "./chromium.mjs";
import { readFileSync, writeFileSync } from "node:fs";

const [base, journeyPath, otherPath, file, from, to] = process.argv.slice(2);
if (!to) {
  console.error("usage: node live.mjs <server-url> <journey-path> <other-path> <file> <from> <to>");
  process.exit(2);
}
const browser = await launch();
const failures = [];
const summary = {};
const edit = (a, b) => {
  const text = readFileSync(file, "utf8");
  if (!text.includes(a)) throw new Error(`${a} not in ${file}`);
  writeFileSync(file, text.replace(a, b));
};
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 700 } });
  const tabs = {};
  for (const [name, path] of [["journey", journeyPath], ["other", otherPath]]) {
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(`${m.text()} at ${JSON.stringify(m.location())}`); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfinished", async (r) => {
      const res = await r.response();
      if (res && res.status() >= 400) errors.push(`${res.status()} ${r.url()}`);
    });
    await page.goto(base + path, { waitUntil: "load" });
    // Wait for the live-reload connection before anything changes.
    await page.waitForTimeout(300);
    await page.evaluate(() => { window.__notReloaded = true; });
    tabs[name] = { page, errors };
  }
  const journey = tabs.journey.page;
  const wanted = await journey.evaluate(() => {
    const y = Math.min(400, document.documentElement.scrollHeight - innerHeight);
    scrollTo(0, y);
    return scrollY;
  });

  const t0 = Date.now();
  edit(from, to);
  await journey.waitForFunction((t) => document.body.innerText.includes(t), to, { timeout: 15000 });
  summary.reloadMs = Date.now() - t0;
  if (await journey.evaluate(() => window.__notReloaded === true)) {
    failures.push("the journey tab shows the edit without having reloaded?");
  }
  await journey.waitForLoadState("load");
  await journey.waitForTimeout(200);
  const y = await journey.evaluate(() => scrollY);
  summary.scroll = { wanted, after: y };
  if (Math.abs(y - wanted) > 2) failures.push(`scroll position not kept: ${wanted} → ${y}`);
  // The other pages the edit touches are rebuilt after the journey page:
  // give that time, then the untouched tab must still be the same document.
  await journey.waitForTimeout(1500);
  if (!(await tabs.other.page.evaluate(() => window.__notReloaded === true))) {
    failures.push(`${otherPath} reloaded although the edit does not touch it`);
  }

  edit("persona: lucia", "persona: nadie");
  try {
    await journey.waitForSelector("#journeydoc-overlay", { timeout: 15000 });
    const text = await journey.textContent("#journeydoc-overlay");
    if (!text.includes("nadie")) failures.push(`overlay without the diagnostic: ${text}`);
  } catch (e) {
    failures.push("no error overlay for a broken file");
  }
  edit("persona: nadie", "persona: lucia");
  try {
    await journey.waitForSelector("#journeydoc-overlay", { state: "detached", timeout: 15000 });
  } catch (e) {
    failures.push("the overlay stays after the fix");
  }
  for (const [name, { errors }] of Object.entries(tabs)) {
    // The event stream is cut when a tab reloads: not an error of ours.
    const real = errors.filter((e) => !/events|ERR_INCOMPLETE_CHUNKED_ENCODING|net::ERR_ABORTED/.test(e));
    if (real.length) failures.push(`${name} tab console errors: ${real.join(" | ")}`);
  }
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
console.log(JSON.stringify({ ...summary, failures: failures.length }));
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
