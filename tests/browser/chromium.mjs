// The system Chromium as every browser test starts it: /usr/bin/chromium
// (or $JOURNEYDOC_CHROMIUM), headless, no sandbox (CI runs as root), and
// nothing that reaches another host on its own.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.JOURNEYDOC_CHROMIUM || "/usr/bin/chromium";

// --user-data-dir is not passed: Playwright refuses it in `args` and always
// starts the browser on a fresh temporary profile of its own.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts it; `options` are added to Playwright's launch options. */
export function launch(options = {}) {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, ...options });
}
