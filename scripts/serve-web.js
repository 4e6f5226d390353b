// A small static server for the demo: the right MIME types (application/wasm for .wasm), no
// directory listings, nothing outside the root, and COOP/COEP headers so the page is
// cross-origin isolated (needed for SharedArrayBuffer, hence for wasm threads later).
// Usage: node scripts/serve-web.js [root]   (root defaults to dist/web; PORT, default 8080, and HOST, default localhost)
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const MIME_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".gz": "application/gzip",
  ".safetensors": "application/octet-stream",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
};

/**
 * Serves `root`; resolves once listening, with the server and its base URL (port 0 picks a free port).
 * @param {string} root
 * @param {{ port?: number, host?: string }} [options]
 * @returns {Promise<{ server: import("node:http").Server, url: string }>}
 */
export function serveStatic(root, { port = 8080, host = "localhost" } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { ...HEADERS, "Content-Type": type, "Content-Length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, MIME_TYPES[".txt"], Buffer.from("method not allowed\n"));
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(400, MIME_TYPES[".txt"], Buffer.from("bad request\n"));
    }
    let file = resolve(base, `.${path}`);
    if (file !== base && !file.startsWith(base + sep)) return send(404, MIME_TYPES[".txt"], Buffer.from("not found\n"));
    try {
      if ((await stat(file)).isDirectory()) {
        // Relative URLs in index.html resolve against the directory only with its trailing slash.
        if (!path.endsWith("/")) {
          res.writeHead(301, { ...HEADERS, Location: `${path}/` });
          return res.end();
        }
        file = join(file, "index.html");
      }
      send(200, MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream", await readFile(file));
    } catch {
      send(404, MIME_TYPES[".txt"], Buffer.from(`not found: ${path}\n`));
    }
  });
  return new Promise((resolveListening, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolveListening({ server, url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}/` });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const root = process.argv[2] ?? fileURLToPath(new URL("../dist/web", import.meta.url));
  try {
    await stat(join(root, "index.html"));
  } catch {
    console.error(`${root}/index.html is missing: build the demo first (node scripts/build-web.js)`);
    process.exit(1);
  }
  const { url } = await serveStatic(root, { port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? "localhost" });
  console.log(`wake-sleep demo: ${url} (serving ${root}; Ctrl-C stops)`);
}
