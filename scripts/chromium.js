// Debian's Chromium, as the browser tests and the benchmark launch it: never a downloaded browser.
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** Switches for a quiet headless run: no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Throws, saying how to install it, if Chromium is missing. */
export function assertChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
}
