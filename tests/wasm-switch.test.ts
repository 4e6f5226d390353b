import { describe, expect, it } from "vitest";
import { HelmholtzMachine, initWasm } from "../src/index.js";

// In a file of its own, so that the first module this process loads is the debug build, whose
// static data is smaller than the release build's: its machines start lower in memory.
describe("switching modules with initWasm", () => {
  it("lays out each machine for its own module", async () => {
    const data = new Uint8Array(64 * 16).map((_, i) => ((i * 7) % 5 === 0 ? 1 : 0));
    const train = async () => {
      const m = await HelmholtzMachine.create({ layers: [16, 8, 4], seed: 3 });
      const [stats] = await m.fit(data, { epochs: 2, batchSize: 8 });
      return { dl: stats.descriptionLength, bytes: Buffer.from(m.save()) };
    };
    await initWasm(new URL("../build/wake-sleep.debug.wasm", import.meta.url));
    const debug = await train();
    await initWasm(new URL("../build/wake-sleep.wasm", import.meta.url));
    const release = await train();
    // The two builds compute the same f32 operations, so the same seed gives the same machine.
    expect(release.dl).toBe(debug.dl);
    expect(release.bytes.equals(debug.bytes)).toBe(true);
  });
});
