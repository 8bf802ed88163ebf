// Open HTML files in headless Chromium, twice: with the page's own Content-Security-Policy
// and with policies bypassed (as if the report had none), and report as JSON what ran:
//   node scripts.mjs CHROMIUM FILE.html...  →  {"/abs/FILE.html": {"scripts": [...], ...}}
// For each file, from both loads: the dialogs opened (alert), page errors, policy violations
// (the securitypolicyviolation events and the console's "Content Security Policy" lines), the
// page's data-pwned attribute if a script set one, and each <script> element's type and text.
// Exit status 0 whatever it finds (the caller judges), 1 if the browser could not be run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../chromium-args.mjs";

const [executablePath, ...files] = process.argv.slice(2);
if (!executablePath || files.length === 0) {
  console.error("usage: node scripts.mjs CHROMIUM FILE.html...");
  process.exit(2);
}

// Recorded by the page itself from its first moment: an init script runs before the page's.
const RECORD_VIOLATIONS = () => {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective}: ${event.blockedURI}`);
  });
};

async function load(context, file) {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const seen = { dialogs: [], errors: [], console: [] };
  page.on("dialog", async (dialog) => {
    seen.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => seen.errors.push(String(error)));
  page.on("console", (message) => seen.console.push(message.text()));
  await page.addInitScript(RECORD_VIOLATIONS);
  await page.goto(url, { waitUntil: "load" });
  const state = await page.evaluate(() => ({
    violations: window.__violations,
    pwned: document.documentElement.getAttribute("data-pwned"),
    title: document.title,
    scripts: [...document.scripts].map((s) => ({ type: s.type, text: s.text })),
  }));
  await page.close();
  const policy = seen.console.filter((line) => /Content Security Policy/i.test(line));
  return {
    loaded: true,
    dialogs: seen.dialogs,
    errors: seen.errors,
    violations: [...state.violations, ...policy],
    pwned: state.pwned,
    title: state.title,
    scripts: state.scripts,
  };
}

const profiles = [];
const contexts = [];
try {
  for (const bypassCSP of [false, true]) {
    const profile = mkdtempSync(join(tmpdir(), "osintkit-scripts-"));
    profiles.push(profile);
    contexts.push(
      await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        bypassCSP,
        args: CHROMIUM_ARGS,
      }),
    );
  }
  const results = {};
  for (const file of files) {
    const path = resolve(file);
    const [kept, bypassed] = [await load(contexts[0], path), await load(contexts[1], path)];
    // One answer per file: what either load saw.
    results[path] = {
      loaded: kept.loaded && bypassed.loaded,
      dialogs: [...kept.dialogs, ...bypassed.dialogs],
      errors: [...kept.errors, ...bypassed.errors],
      violations: kept.violations,
      pwned: kept.pwned ?? bypassed.pwned,
      title: kept.title,
      scripts: kept.scripts,
      scriptsBypassed: bypassed.scripts,
    };
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} catch (error) {
  console.error(`scripts.mjs: ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  for (const context of contexts) await context.close();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
}
