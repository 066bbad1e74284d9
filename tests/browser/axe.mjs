// Accessibility of a built handbook in the real browser: axe-core's WCAG
// 2.0, 2.1 and 2.2 A and AA rules on the given pages, in the light and dark
// colour schemes, at desktop and phone widths.
//
//   node axe.mjs <base-url> <page> [<page>…]
//
// Each page is loaded with its Content-Security-Policy in force; axe-core is
// put into the page through the DevTools protocol (page.evaluate), which the
// policy does not govern, so the page is checked exactly as readers get it.
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
        for (const v of result.violations) {
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
} finally {
  await browser.close();
}
const bad = found.filter((v) => v.impact === "serious" || v.impact === "critical");
console.log(JSON.stringify({ pages: pages.length, runs: pages.length * 4, violations: found }));
if (bad.length) {
  for (const v of bad) {
    console.error(`${v.impact} ${v.rule} on ${v.page} (${v.scheme}, ${v.width}): ${v.count}× ${v.help}; ${v.targets.join(" | ")} — ${v.summary}`);
  }
  process.exit(1);
}
