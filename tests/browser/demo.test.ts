// The demo page end to end in headless Chromium: loading, training in the worker, the chart, the
// drawing pad, screenshots at desktop and phone width, and model export / import.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../../src/index.js";
import { pickRows } from "../../web/selftest.js";
import { launchChromium, openDemo, startSite, type Browser, type Site } from "./harness.js";

// Git-ignored; docs/demo.png is a copy of a good demo.png, made by hand.
const SHOTS = fileURLToPath(new URL("../../runs/browser/", import.meta.url));

describe("the demo page in Chromium", () => {
  let site: Site;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    page = browser.page;
    await page.setViewportSize({ width: 1200, height: 900 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("loads with no console errors, cross-origin isolated, with a fresh 784-200-50 machine", async () => {
    await openDemo(page, site);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent("#stat-layers")).toBe("784-200-50");
    expect(browser.errors).toEqual([]);
  });

  it("trains in the worker: the dreams change and the chart receives points", async () => {
    const dreams = () => page.evaluate(() => (document.getElementById("dreams") as HTMLCanvasElement).toDataURL());
    const before = await dreams();
    await page.click("#start");
    await page.waitForFunction(() => Number(document.getElementById("chart")!.dataset.points) >= 5);
    await page.waitForFunction((b) => (document.getElementById("dreams") as HTMLCanvasElement).toDataURL() !== b, before);
    expect(page.workers().map((w) => new URL(w.url()).pathname)).toEqual(["/web/worker.js"]);
    expect(Number(await page.textContent("#stat-bits"))).toBeGreaterThan(0);
    expect(browser.errors).toEqual([]);
  });

  it("reconstructs a digit drawn on the pad and gives its description length", async () => {
    await waitForDigitsSeen(page, 5_000);
    await drawSeven(page);
    // Polled, as the answer to the finished stroke may follow one to a part of it.
    await expect.poll(() => resemblance(page), { timeout: 10_000 }).toBeGreaterThan(0.2);
    expect(browser.errors).toEqual([]);
  });

  it("saves screenshots, and fits a phone's width", async () => {
    await waitForDigitsSeen(page, 15_000);
    await page.click("#pause");
    await drawSeven(page);
    await page.waitForTimeout(300);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}demo.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}demo-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  // The page dreams after each model change, which moves the random state on; so a round trip
  // keeps the layers, learning rate and every parameter bit for bit, not the random state.
  it("exports the model and imports it again", async () => {
    const exported = await exportModel(page);
    await importModel(page, exported);
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("Imported a 784-200-50 machine"));
    await expectSameModel(await exportModel(page), exported, [784, 200, 50]);
    expect(browser.errors).toEqual([]);
  });

  it("imports a model trained in Node", async () => {
    const m = await HelmholtzMachine.create({ layers: [784, 32, 8], seed: 3, learningRate: 0.02 });
    await m.fit(pickRows(await site.digits(), 300, 7), { epochs: 2 });
    const saved = m.save();
    m.dispose();
    await importModel(page, saved);
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("Imported a 784-32-8 machine"));
    expect(await page.inputValue("#hidden")).toBe("32, 8");
    expect(await page.inputValue("#rate")).toBe("0.02");
    await expectSameModel(await exportModel(page), saved, [784, 32, 8]);
    expect(browser.errors).toEqual([]);
  });
});

async function waitForDigitsSeen(page: Page, count: number): Promise<void> {
  const seen = (n: number) => Number(document.getElementById("stat-seen")!.textContent!.replace(/,/g, "")) >= n;
  await page.waitForFunction(seen, count, { timeout: 40_000 });
}

/** The reconstruction P(pixel = 1 | h): its mean on the pixels the machine sees drawn minus its mean elsewhere. */
function resemblance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const ink = (id: string) => {
      const rgba = (document.getElementById(id) as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, 28, 28).data;
      return Array.from({ length: 784 }, (_, p) => (255 - rgba[4 * p]) / (255 - 17));
    };
    const seen = ink("seen");
    const rec = ink("reconstruction");
    const mean = (drawn: boolean) => {
      const v = rec.filter((_, p) => seen[p] > 0.5 === drawn);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    return mean(true) - mean(false);
  });
}

/** Clears the pad, draws a 7 and waits for the page to show an answer from the machine. */
async function drawSeven(page: Page): Promise<void> {
  await page.click("#clear");
  const box = (await page.locator("#pad").boundingBox())!;
  const at = (x: number, y: number): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(0.3, 0.25));
  await page.mouse.down();
  for (const [x, y] of [[0.5, 0.22], [0.7, 0.25], [0.62, 0.45], [0.5, 0.62], [0.45, 0.8]]) await page.mouse.move(...at(x, y), { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /^\d+\.\d bits/.test(document.getElementById("pad-bits")!.textContent ?? ""));
}

async function exportModel(page: Page): Promise<Uint8Array> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  expect(download.suggestedFilename()).toMatch(/^wake-sleep-784-[\d-]+\.safetensors$/);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

async function importModel(page: Page, bytes: Uint8Array): Promise<void> {
  await page.setInputFiles("#import-file", { name: "model.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });
}

async function expectSameModel(actual: Uint8Array, expected: Uint8Array, layers: number[]): Promise<void> {
  const [a, b] = await Promise.all([HelmholtzMachine.load(actual), HelmholtzMachine.load(expected)]);
  expect(a.layers).toEqual(layers);
  expect(a.layers).toEqual(b.layers);
  expect(a.learningRate).toBe(b.learningRate);
  const pa = a.parameters();
  const bits = (data: Float32Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (const [name, t] of b.parameters()) expect(bits(pa.get(name)!.data).equals(bits(t.data)), `${name} bit for bit`).toBe(true);
  a.dispose();
  b.dispose();
}
