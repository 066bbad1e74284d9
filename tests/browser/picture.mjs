#!/usr/bin/env node
// An exported map picture (SVG) in the system Chromium: every text element
// of every card stays inside its card's box, and the picture's size is what
// the SVG says.
//
//   node picture.mjs <file.svg> <screenshot.png>
//
// Prints {"cards": N, "texts": M, "width": W, "height": H} on stdout; exits
// 1 listing every text that leaves its card.

import { launch } from "./chromium.mjs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [svgArg, shotArg] = process.argv.slice(2);
if (!svgArg || !shotArg) {
  console.error("usage: node picture.mjs <file.svg> <screenshot.png>");
  process.exit(2);
}
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(pathToFileURL(resolve(svgArg)).href);
  const r = await page.evaluate(async () => {
    await document.fonts.ready;
    const svg = document.documentElement;
    const bad = [];
    let texts = 0;
    const cards = [...svg.querySelectorAll("g.card")];
    for (const card of cards) {
      const box = card.querySelector("rect").getBBox();
      for (const t of card.querySelectorAll("text")) {
        texts++;
        const b = t.getBBox();
        const inside = b.x >= box.x - 0.5 && b.y >= box.y - 0.5 &&
          b.x + b.width <= box.x + box.width + 0.5 && b.y + b.height <= box.y + box.height + 0.5;
        if (!inside) bad.push(`"${t.textContent}" (${b.x.toFixed(1)},${b.y.toFixed(1)} ${b.width.toFixed(1)}×${b.height.toFixed(1)}) leaves its card (${box.x},${box.y} ${box.width}×${box.height})`);
      }
    }
    const fonts = [...document.fonts].map((f) => `${f.family} ${f.weight} ${f.status}`);
    return { cards: cards.length, texts, bad, fonts, width: svg.width.baseVal.value, height: svg.height.baseVal.value };
  });
  await page.screenshot({ path: resolve(shotArg) });
  if (r.bad.length) {
    console.error(`picture.mjs: ${r.bad.length} text(s) outside their cards:\n - ${r.bad.join("\n - ")}`);
    process.exit(1);
  }
  if (!r.fonts.some((f) => f.endsWith("loaded"))) {
    console.error(`picture.mjs: the embedded font did not load: ${r.fonts.join(", ")}`);
    process.exit(1);
  }
  console.log(JSON.stringify({ cards: r.cards, texts: r.texts, width: r.width, height: r.height, fonts: r.fonts }));
} finally {
  await browser.close();
}
