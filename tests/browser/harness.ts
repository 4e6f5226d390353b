// Shared by the browser tests: a fresh build of the browser bundles and the demo, served on a free
// port, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { buildWeb } from "../../scripts/build-web.js";
import { serveStatic } from "../../scripts/serve-web.js";
import { CHROMIUM, CHROMIUM_FLAGS, assertChromium } from "../../scripts/chromium.js";
import { readDigits, type Digits } from "../../web/digits.js";

export interface Site {
  /** The build: browser/ (the library bundles) and web/ (the demo). */
  out: string;
  /** Base URL of the server, serving `out`; the demo is at url + "web/". */
  url: string;
  /** The demo's digits, as the page reads them. */
  digits(): Promise<Digits>;
  close(): Promise<void>;
}

/** Builds into a fresh temporary folder, so test files neither race nor test a stale dist/. */
export async function startSite(): Promise<Site> {
  const out = await mkdtemp(join(tmpdir(), "wake-sleep-web-"));
  await buildWeb(out);
  const { server, url } = await serveStatic(out, { port: 0, host: "127.0.0.1" });
  return {
    out,
    url,
    digits: async () => readDigits(new Uint8Array(await readFile(join(out, "web/digits.bin.gz")))),
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await rm(out, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions from the page and its workers, as they happen. */
  errors: string[];
  close(): Promise<void>;
}

/** One headless Chromium with a fresh profile, and its first page. */
export async function launchChromium(): Promise<Browser> {
  assertChromium();
  const profile = await mkdtemp(join(tmpdir(), "wake-sleep-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The demo's test hooks (web/main.ts), seen from page.evaluate. */
declare global {
  interface Window {
    __wakeSleep: {
      selfTest(): Promise<{ sha256: string; bytes: number }>;
      bench(layers?: number[], rows?: number): Promise<{ rowsPerSecond: number }>;
    };
  }
}

/** Opens the demo and waits until its digits are loaded and Start is enabled. */
export async function openDemo(page: Page, site: Site): Promise<void> {
  await page.goto(`${site.url}web/`);
  await page.waitForFunction(() => !(document.getElementById("start") as HTMLButtonElement).disabled, null, { timeout: 20_000 });
}
