// The library's browser bundles in headless Chromium: bit-identical training against Node, the
// inlined-wasm variant, the loader's errors, and training speed beside Node's.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nodeLibrary from "../../src/index.js";
import { benchmark, selfTest, SELF_TEST } from "../../web/selftest.js";
import { launchChromium, openDemo, startSite, type Browser, type Site } from "./harness.js";

type Library = typeof nodeLibrary;

// Self-contained, so that page.evaluate can run its source in the page: 2 seeded epochs on fixed
// pseudo-random 16-pixel rows (online unless `fit` says otherwise), then the SHA-256 of save() in hex.
async function trainAndHash(lib: Library, fit: object = {}): Promise<string> {
  const width = 16;
  const data = new Uint8Array(300 * width);
  for (let i = 0; i < data.length; i++) data[i] = (Math.imul(i + 1, 2654435761) >>> 28) & 1;
  const m = await lib.HelmholtzMachine.create({ layers: [width, 8, 2], seed: 3, learningRate: 0.05 });
  await m.fit(data, { epochs: 2, shuffle: true, ...fit });
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", m.save() as Uint8Array<ArrayBuffer>));
  m.dispose();
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Imports `path` in the page (a query string gives a fresh module instance) and runs `trainAndHash`. */
function hashInPage(page: Page, path: string, fit: object = {}): Promise<string> {
  return page.evaluate(`import(${JSON.stringify(path)}).then((lib) => (${trainAndHash.toString()})(lib, ${JSON.stringify(fit)}))`);
}

/** Imports a fresh instance of the ESM bundle and returns the message `attempt` fails with. */
function errorInPage(page: Page, attempt: string, setup = ""): Promise<string> {
  return page.evaluate(`(async () => {
    const saved = WebAssembly.validate;
    ${setup}
    try {
      const lib = await import("/browser/wake-sleep.js?" + Math.random());
      await ${attempt};
      return "no error";
    } catch (e) {
      return e.message;
    } finally {
      WebAssembly.validate = saved;
    }
  })()`);
}

describe("the browser bundles in Chromium", () => {
  let site: Site;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    page = browser.page;
    await openDemo(page, site);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it(`gives bit-identical parameters in Chromium's worker and in Node: ${SELF_TEST.layers.join("-")}, seed ${SELF_TEST.seed}, one epoch`, async () => {
    const inBrowser = await page.evaluate(() => window.__wakeSleep.selfTest());
    const inNode = await selfTest(nodeLibrary.HelmholtzMachine, await site.digits());
    expect(inBrowser.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(inBrowser).toEqual(inNode);
    expect(browser.errors).toEqual([]);
  });

  it("trains the same with the inlined-wasm bundle, which fetches no .wasm, as with the ESM bundle and Node", async () => {
    const wasmRequests: string[] = [];
    const onRequest = (r: { url(): string }) => r.url().endsWith(".wasm") && wasmRequests.push(r.url());
    page.on("request", onRequest);
    const inline = await hashInPage(page, "/browser/wake-sleep.inline.js");
    page.off("request", onRequest);
    expect(wasmRequests).toEqual([]);
    const esm = await hashInPage(page, "/browser/wake-sleep.js?esm");
    expect(inline).toBe(esm);
    expect(inline).toBe(await trainAndHash(nodeLibrary));
    expect(browser.errors).toEqual([]);
  });

  it("trains on two Web Workers over shared memory (the page is cross-origin isolated), as Node's two threads do", async () => {
    const threaded = { batchSize: 10, threads: 2 };
    const inBrowser = await hashInPage(page, "/browser/wake-sleep.js?threads", threaded);
    // Node's worker threads run the built package (dist/thread-worker.js). One thread would give
    // other samples, so equal hashes also show that the page did not fall back to one thread.
    const builtLibrary = (await import("../../dist/index.js")) as unknown as Library;
    expect(inBrowser).toBe(await trainAndHash(builtLibrary, threaded));
    expect(inBrowser).not.toBe(await trainAndHash(builtLibrary, { batchSize: 10 }));
    expect(browser.errors).toEqual([]);
  });

  it("loads the relaxed-SIMD build beside the bundle with initWasm({ simd: \"auto\" }) (Chromium has relaxed SIMD), and the plain one by default", async () => {
    const run = (query: string, setup: string) => page.evaluate(`import("/browser/wake-sleep.js?${query}").then(async (lib) => {
      ${setup}
      const m = await lib.HelmholtzMachine.create({ layers: [4, 2], seed: 1 });
      const simd = m.simd;
      m.dispose();
      return { simd, hash: await (${trainAndHash.toString()})(lib) };
    })`) as Promise<{ simd: string; hash: string }>;
    const relaxed = await run("auto", 'await lib.initWasm({ simd: "auto" });');
    const plain = await run("plain", "");
    expect(relaxed.simd).toBe("relaxed");
    expect(plain.simd).toBe("plain");
    expect(plain.hash).toBe(await trainAndHash(nodeLibrary));
    // Fused multiply-adds round once where the plain build rounds twice (x86-64 since 2013 and
    // arm64 have FMA, which V8 uses for relaxed_madd): the same training ends in other bits.
    expect(relaxed.hash).not.toBe(plain.hash);
    // The inline bundle carries the plain build only: "auto" falls back to it, "relaxed" says why not.
    const inline = await page.evaluate(`import("/browser/wake-sleep.inline.js?auto").then(async (lib) => {
      await lib.initWasm({ simd: "auto" });
      const m = await lib.HelmholtzMachine.create({ layers: [4, 2], seed: 1 });
      const simd = m.simd;
      m.dispose();
      const refused = await lib.initWasm({ simd: "relaxed" }).then(() => "no error", (e) => e.message);
      return { simd, refused };
    })`);
    expect(inline).toEqual({ simd: "plain", refused: 'wake-sleep: simd: "relaxed" is not available: this bundle (wake-sleep/inline) has only the plain build' });
    expect(browser.errors).toEqual([]);
  });

  it("names the supported browsers when WebAssembly SIMD is missing", async () => {
    const message = await errorInPage(page, "lib.HelmholtzMachine.create({ layers: [4, 2] })", "WebAssembly.validate = () => false;");
    expect(message).toMatch(/^wake-sleep: this runtime lacks WebAssembly SIMD \(needs .*Chrome 91\+, Firefox 89\+ or Safari 16\.4\+\)$/);
  });

  it("says what happened when the server answers with HTML or an error instead of the .wasm", async () => {
    const html = await errorInPage(page, 'lib.initWasm("/web/index.html")');
    expect(html).toMatch(/\/web\/index\.html is not a WebAssembly module: expected magic word 00 61 73 6d, got "<!doctype html>.*HTML instead of the \.wasm/);
    const missing = await errorInPage(page, 'lib.initWasm("/browser/no-such.wasm")');
    expect(missing).toMatch(/^wake-sleep: fetching http:\/\/127\.0\.0\.1:\d+\/browser\/no-such\.wasm failed with HTTP 404$/);
  });

  it("trains [784, 200, 50] online in Chromium's worker at a speed comparable to Node's", async () => {
    const layers = [784, 200, 50];
    const rows = 3000;
    const inBrowser = await page.evaluate(([l, r]) => window.__wakeSleep.bench(l, r), [layers, rows] as const);
    const inNode = await benchmark(nodeLibrary.HelmholtzMachine, await site.digits(), layers, rows);
    console.log(`[784,200,50] online wake-sleep, ${rows} MNIST rows: Chromium worker ${inBrowser.rowsPerSecond.toFixed(0)} rows/s, Node ${inNode.rowsPerSecond.toFixed(0)} rows/s`);
    // Loose on purpose (other suites share the CPU): it catches a lost SIMD build or a debug .wasm, not noise.
    expect(inBrowser.rowsPerSecond).toBeGreaterThan(inNode.rowsPerSecond / 4);
  });
});
