// The command line every test's headless Chromium starts with, once for the three scripts
// that launch one (validity/axe.mjs, validity/images.mjs, preview/browser.mjs). Root in a
// container needs --no-sandbox; the rest keep Chromium off the network (CI machines have
// none) and away from first-run and update work.
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
