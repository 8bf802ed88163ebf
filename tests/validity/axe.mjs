// Run axe-core on HTML files in headless Chromium and print the violations as JSON:
//   node axe.mjs CHROMIUM FILE.html...  →  {"/abs/FILE.html": [violation, ...], ...}
// One browser serves every file. Exit status 0 whatever axe finds (the caller judges),
// 1 if the browser or a page could not be run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../chromium-args.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [executablePath, ...files] = process.argv.slice(2);
if (!executablePath || files.length === 0) {
  console.error("usage: node axe.mjs CHROMIUM FILE.html...");
  process.exit(2);
}

// A fresh profile per run, so no state from an earlier run (or the user's own) leaks in.
const profile = mkdtempSync(join(tmpdir(), "osintkit-axe-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // The report's own Content-Security-Policy lets no script run, the auditor's included:
    // the audit steps around it, as an extension would, and audits the page a reader gets.
    bypassCSP: true,
    args: CHROMIUM_ARGS,
  });
  const results = {};
  for (const file of files) {
    const path = resolve(file);
    const page = await context.newPage();
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    await page.addScriptTag({ content: axeSource });
    // axe's default rule set: WCAG 2.x A and AA plus its best practices.
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    results[path] = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    }));
    await page.close();
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} catch (error) {
  console.error(`axe.mjs: ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
