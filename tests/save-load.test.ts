import { describe, expect, it } from "vitest";
import { HelmholtzMachine } from "../src/index.js";
import { randomBinary } from "./helpers/models.js";

function header(bytes: Uint8Array): { length: number; json: Record<string, any> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) };
}

function withHeader(bytes: Uint8Array, edit: (json: Record<string, any>) => void): Uint8Array {
  const { length, json } = header(bytes);
  edit(json);
  const head = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(8 + head.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(bytes.subarray(8 + length), 8 + head.length);
  return out;
}

describe("save and load", () => {
  const layers = [11, 6, 3];
  async function trained(): Promise<HelmholtzMachine> {
    const m = await HelmholtzMachine.create({ layers, seed: 4, learningRate: 0.07 });
    await m.fit(randomBinary(100, 11, 2), { epochs: 2 });
    return m;
  }

  it("round-trips bit for bit, and training continues identically after a load", async () => {
    const m = await trained();
    const bytes = m.save();
    const copy = await HelmholtzMachine.load(bytes);
    expect(copy.save()).toEqual(bytes);
    expect(copy.layers).toEqual(layers);
    expect(copy.learningRate).toBe(0.07);
    const more = randomBinary(50, 11, 3);
    await m.fit(more);
    await copy.fit(more);
    expect(copy.save()).toEqual(m.save());
  });

  it("writes the safetensors layout with the spec's tensor names and shapes", async () => {
    const bytes = (await trained()).save();
    const { length, json } = header(bytes);
    expect((8 + length) % 8).toBe(0);
    expect(json.__metadata__).toMatchObject({ format: "wake-sleep", format_version: "1", layers: "[11,6,3]" });
    const shapes = Object.fromEntries(Object.entries(json).filter(([k]) => k !== "__metadata__").map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      "gen.top.bias": [3],
      "gen.0.weight": [6, 11], "gen.0.bias": [11], "rec.0.weight": [11, 6], "rec.0.bias": [6],
      "gen.1.weight": [3, 6], "gen.1.bias": [6], "rec.1.weight": [6, 3], "rec.1.bias": [3],
    });
    for (const [k, v] of Object.entries(json)) if (k !== "__metadata__") expect(v.dtype).toBe("F32");
  });

  describe("rejects a bad file with an error that says what is wrong", () => {
    const cases: [string, (b: Uint8Array) => Uint8Array, RegExp][] = [
      ["too short", (b) => b.subarray(0, 5), /too short/],
      ["truncated data", (b) => b.subarray(0, b.length - 4), /cover .* bytes of data but the file holds/],
      ["header length past the end", (b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(0, BigInt(b.length), true); return c; }, /runs past the end/],
      ["invalid JSON", (b) => { const c = b.slice(); c[8] = 0x7b; c[9] = 0x7b; return c; }, /not valid UTF-8 JSON/],
      ["a dtype other than F32", (b) => withHeader(b, (j) => (j["gen.0.bias"].dtype = "F16")), /dtype "F16"/],
      ["a shape that disagrees with its bytes", (b) => withHeader(b, (j) => (j["gen.0.bias"].shape = [12])), /shape \[12\]/],
      ["overlapping offsets", (b) => withHeader(b, (j) => { const [at] = j["gen.0.weight"].data_offsets; j["gen.0.bias"].data_offsets = [at, at + 44]; }), /without gaps or overlaps/],
      ["a missing tensor", (b) => withHeader(b, (j) => { const { data_offsets } = j["rec.1.bias"]; delete j["rec.1.bias"]; j["extra.bias"] = { dtype: "F32", shape: [3], data_offsets }; }), /unexpected tensor extra.bias/],
      ["another format", (b) => withHeader(b, (j) => (j.__metadata__.format = "other")), /format must be "wake-sleep"/],
      ["layers that disagree with the tensors", (b) => withHeader(b, (j) => (j.__metadata__.layers = "[11,6,4]")), /shape/],
      ["layer sizes that are not integers", (b) => withHeader(b, (j) => (j.__metadata__.layers = "[11,6.5,3]")), /must be an integer/],
      ["a NaN weight", (b) => { const c = b.slice(); new DataView(c.buffer).setFloat32(c.length - 4, NaN, true); return c; }, /non-finite value NaN/],
    ];
    for (const [what, corrupt, message] of cases) {
      it(what, async () => {
        const bytes = (await trained()).save();
        await expect(HelmholtzMachine.load(corrupt(bytes))).rejects.toThrow(message);
      });
    }
    it("a value that is not bytes", async () => {
      await expect(HelmholtzMachine.load("model.safetensors" as never)).rejects.toThrow(/bytes must be a Uint8Array, got "model.safetensors"/);
    });
  });
});
