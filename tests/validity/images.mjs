// Open HTML files in headless Chromium and report, as JSON, every image as the browser sees
// it and every request the page made beyond its own file:
//   node images.mjs CHROMIUM FILE.html...  →  {"/abs/FILE.html": {"images": [...], "requests": [...]}}
// Exit status 0 whatever it finds (the caller judges), 1 if the browser could not be run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../chromium-args.mjs";

const [executablePath, ...files] = process.argv.slice(2);
if (!executablePath || files.length === 0) {
  console.error("usage: node images.mjs CHROMIUM FILE.html...");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "osintkit-images-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const results = {};
  for (const file of files) {
    const path = resolve(file);
    const url = pathToFileURL(path).href;
    const page = await context.newPage();
    const requests = [];
    page.on("request", (request) => {
      const target = request.url();
      if (target !== url && !target.startsWith("data:")) requests.push(target);
    });
    await page.goto(url, { waitUntil: "load" });
    // "load" waits for every image; decode() settles the ones still being decoded.
    const images = await page.evaluate(async () =>
      Promise.all(
        [...document.images].map(async (image) => {
          let decoded = true;
          try {
            await image.decode();
          } catch {
            decoded = false;
          }
          return {
            alt: image.alt,
            scheme: image.src.split(":")[0],
            naturalWidth: image.naturalWidth,
            naturalHeight: image.naturalHeight,
            decoded,
          };
        }),
      ),
    );
    results[path] = { images, requests };
    await page.close();
  }
  process.stdout.write(JSON.stringify(results, null, 2) + "\n");
} catch (error) {
  console.error(`images.mjs: ${error.stack || error}`);
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
