// W1 and W2 in headless Chromium, as contenders in the same rounds as ours in Node and the peers:
// Debian's chromium (never a downloaded browser), driven by playwright-core, on a cross-origin
// isolated page (so that fit({ threads }) can use Web Workers) that runs the browser bundle
// (dist/browser/) on the same digits (bench/browser/page.js).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveStatic } from "../scripts/serve-web.js";
import { CHROMIUM, CHROMIUM_FLAGS, assertChromium } from "../scripts/chromium.js";
import { USER_HZ } from "./machine.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * One Chromium for a bench run, launched when a contender first needs it; `digits` as from
 * loadDigits(). If Chromium cannot start, every contender fails with that reason (and the
 * report shows it as not available).
 */
export function chromiumSession(digits) {
  let started;
  const start = () => (started ??= launch(digits));
  const contender = (id, method, args, threads) => ({
    id,
    ...(threads ? { threads } : {}),
    async once() {
      const s = await start();
      const c0 = rendererCpuSeconds(s.pid);
      const r = await s.page.evaluate(([m, a]) => window.bench[m](...a), [method, args]);
      return { ...r, cpuSeconds: rendererCpuSeconds(s.pid) - c0 };
    },
    show: (r) => `${Math.round(r.value)} ${method === "w1" ? "steps" : "vectors"}/s`,
  });
  return {
    /** W1 as w1Ours: `simd` "plain" or "relaxed", `dl` the description-length estimate on or off. */
    w1: (simd = "plain", dl = true) => contender(`ours-chromium${simd === "plain" ? "" : `-${simd}`}${dl ? "" : "-nodl"}`, "w1", [simd, dl]),
    /** W2 as w2Ours on `threads` Web Workers. */
    w2: (threads, simd = "plain", dl = true) => contender(`ours-chromium-${simd === "plain" ? "" : `${simd}-`}${dl ? "" : "nodl-"}${threads}t`, "w2", [simd, threads, dl], threads),
    /** The browser's versions and what the page offers, or why Chromium did not start. */
    async info() {
      try {
        return (await start()).info;
      } catch (e) {
        return { available: false, error: e instanceof Error ? e.message : String(e) };
      }
    },
    /** CPU seconds the renderer has used so far (0 if it never started). */
    async cpuSeconds() {
      if (!started) return 0;
      try {
        return rendererCpuSeconds((await started).pid);
      } catch {
        return 0;
      }
    },
    async close() {
      if (!started) return;
      const s = await started.catch(() => undefined);
      if (s) await s.close();
    },
  };
}

async function launch(digits) {
  assertChromium();
  if (!existsSync(join(root, "dist/browser/wake-sleep.js"))) throw new Error("dist/browser/ is missing: run npm run build first");
  const dir = await mkdtemp(join(tmpdir(), "wake-sleep-bench-"));
  await cp(join(root, "dist/browser"), dir, { recursive: true });
  await cp(join(root, "bench/browser"), dir, { recursive: true });
  await writeFile(join(dir, "digits.bin"), digits.train);
  const { server, url } = await serveStatic(dir, { port: 0, host: "127.0.0.1" });
  // A browser server, for the pid of the browser process (whose renderers the CPU time is read of).
  const browserServer = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const close = async () => {
    await browser.close();
    await browserServer.close();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const version = await (await browser.newBrowserCDPSession()).send("Browser.getVersion");
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}index.html`);
    await page.waitForFunction(() => window.benchReady === true, undefined, { timeout: 30000 }).catch(() => {
      throw new Error(`the bench page did not load${errors.length ? `: ${errors.join("; ")}` : ""}`);
    });
    const pageInfo = await page.evaluate(() => window.bench.info());
    const info = { available: true, product: version.product, v8: version.jsVersion, ...pageInfo };
    return { page, pid: browserServer.process().pid, info, close };
  } catch (e) {
    await close();
    throw e;
  }
}

// utime + stime of Chromium's renderer processes (the page and its Web Workers' threads), from
// /proc (Linux), in seconds.
function rendererCpuSeconds(browserPid) {
  const children = new Map();
  const ticks = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // the process has exited
    }
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pid = Number(name), ppid = Number(f[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
    ticks.set(pid, Number(f[11]) + Number(f[12]));
  }
  let total = 0;
  for (const todo = [browserPid]; todo.length;) {
    const pid = todo.pop();
    for (const child of children.get(pid) ?? []) todo.push(child);
    if (pid !== browserPid && isRenderer(pid)) total += ticks.get(pid) ?? 0;
  }
  return total / USER_HZ;
}

function isRenderer(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
  } catch {
    return false;
  }
}
