// Drive one headless Chromium page for tests/test_preview.py, a command at a time:
//   node browser.mjs CHROMIUM
// Each line on stdin is a JSON command, each line on stdout the JSON answer
// {"ok": true, "value": …} or {"ok": false, "error": "…"}:
//   {"goto": URL}                          open URL in a new page, once the previous page is
//                                          closed, and wait for its load event
//   {"evaluate": EXPRESSION}               the expression's value in the page
//   {"waitFor": EXPRESSION, "timeout": MS} poll until the expression is truthy (across
//                                          reloads); its value, or an error with the last one
//   {"problems": true}                     page errors and console errors of the page the last
//                                          goto opened
//   {"waitForFrame": PREFIX, "timeout": MS}  poll until a frame's URL starts with PREFIX; the
//                                          URLs of all the page's frames, the page's first
// playwright-core comes from tests/validity/node_modules (scripts/setup.sh --dev); the
// browser is the machine's Chromium, with a fresh profile that is removed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CHROMIUM_ARGS } from "../chromium-args.mjs";

const require = createRequire(new URL("../validity/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const [executablePath] = process.argv.slice(2);
if (!executablePath) {
  console.error("usage: node browser.mjs CHROMIUM");
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), "osintkit-preview-"));
let context;
let page;
let problems = [];

// A new page for every goto, and the previous one closed first: a page left on a preview that
// has since stopped keeps reconnecting its EventSource, and each failure is a console error.
// In the same page those errors would land among the next page's problems whenever they fell
// between the goto and the moment the old document is unloaded; a closed page sends nothing,
// and its listeners write only to its own list.
async function open(url) {
  const own = [];
  page = await context.newPage();
  problems = own;
  page.on("pageerror", (error) => own.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") own.push(`console error: ${message.text()}`);
  });
  for (const other of context.pages()) if (other !== page) await other.close();
  await page.goto(url, { waitUntil: "load" });
}

// An evaluation that meets a reload in progress fails; waitFor just tries again.
const transient = (error) =>
  /Execution context was destroyed|navigation|Target closed|Cannot find context/i.test(
    String(error && error.message),
  );

async function waitFor(page, expression, timeout) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await page.evaluate(expression);
      if (last) return last;
    } catch (error) {
      if (!transient(error)) throw error;
      last = `(${error.message.split("\n")[0]})`;
    }
    if (Date.now() > deadline) {
      throw new Error(`not true after ${timeout} ms: ${expression}; last value: ${JSON.stringify(last)}`);
    }
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function waitForFrame(page, prefix, timeout) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const urls = page.frames().map((frame) => frame.url());
    if (urls.some((url) => url.startsWith(prefix))) return urls;
    if (Date.now() > deadline) {
      throw new Error(`no frame at ${prefix}… after ${timeout} ms: ${JSON.stringify(urls)}`);
    }
    await new Promise((done) => setTimeout(done, 20));
  }
}

try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    // A short window, so that even a small report scrolls.
    viewport: { width: 900, height: 400 },
    args: CHROMIUM_ARGS,
  });
  const lines = createInterface({ input: process.stdin });
  process.stdout.write(JSON.stringify({ ok: true, value: "ready" }) + "\n");
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      const command = JSON.parse(line);
      let value = null;
      if ("goto" in command) {
        await open(command.goto);
      } else if (!page) {
        throw new Error("no page yet: send a goto first");
      } else if ("evaluate" in command) {
        value = await page.evaluate(command.evaluate);
      } else if ("waitFor" in command) {
        value = await waitFor(page, command.waitFor, command.timeout ?? 5000);
      } else if ("problems" in command) {
        value = problems;
      } else if ("waitForFrame" in command) {
        value = await waitForFrame(page, command.waitForFrame, command.timeout ?? 5000);
      } else {
        throw new Error(`unknown command: ${line}`);
      }
      answer = { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      answer = { ok: false, error: String(error && error.message) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error && error.stack) }) + "\n");
  process.exitCode = 1;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
