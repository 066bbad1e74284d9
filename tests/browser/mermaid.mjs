// Parses and renders Mermaid `journey` diagrams with Mermaid's own library
// (from this folder's node_modules, installed by `npm ci` at test time) in
// the system Chromium. Usage: node mermaid.mjs FILE
// FILE holds one or more diagrams, each after a `%% journey: <id>` line (the
// output of `journeydoc export --format mermaid`). Exits 1 listing every
// diagram Mermaid rejects.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const file = process.argv[2];
if (!file) {
  console.error("usage: node mermaid.mjs FILE");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
const diagrams = [];
let current = null;
for (const line of text.split("\n")) {
  const m = line.match(/^%% journey: (.*)$/);
  if (m) {
    current = { id: m[1], text: "" };
    diagrams.push(current);
  } else if (current) {
    current.text += line + "\n";
  } else if (line.trim()) {
    current = { id: "(diagram)", text: line + "\n" };
    diagrams.push(current);
  }
}
if (!diagrams.length) {
  console.error(`no diagram in ${file}`);
  process.exit(1);
}

const browser = await launch();
const failures = [];
try {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
  await page.addScriptTag({ path: require.resolve("mermaid/dist/mermaid.min.js") });
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false }));
  for (const [i, d] of diagrams.entries()) {
    const result = await page.evaluate(async ({ text, i }) => {
      try {
        await window.mermaid.parse(text);
        const { svg } = await window.mermaid.render(`d${i}`, text);
        return { ok: true, tasks: (svg.match(/class="task /g) || []).length, size: svg.length };
      } catch (e) {
        return { ok: false, error: String(e && e.message ? e.message : e) };
      }
    }, { text: d.text, i });
    if (!result.ok) failures.push(`${d.id}: ${result.error}`);
    else d.svg = result;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ diagrams: diagrams.length, failures: failures.length,
  rendered: diagrams.filter((d) => d.svg).map((d) => ({ id: d.id, bytes: d.svg.size })) }));
if (failures.length) {
  console.error("Mermaid rejected:\n" + failures.join("\n"));
  process.exit(1);
}
