/**
 * A minimal PNG encoder for 8-bit grayscale pictures (sample grids of image families): IHDR, one zlib IDAT with
 * filter 0 on every row, IEND. Small enough to inline as a data URL, which keeps report.html self-contained.
 * fflate's deflate, not node:zlib, so browsers draw the same grids.
 */
import { zlibSync } from 'fflate';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `gray` holds width × height bytes, row-major, 0 black … 255 white. */
export function encodeGrayPng(gray: Uint8Array, width: number, height: number): Uint8Array {
  if (gray.length !== width * height) throw new RangeError(`png: ${gray.length} bytes for ${width}×${height}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(gray.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  return concat([signature, chunk('IHDR', header), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array())]);
}

export function pngDataUrl(png: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < png.length; i += 0x8000) binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}

/** A rows × cols grid of images (gray 0–255), separated by 2-pixel mid-gray lines; images must be one-channel. */
export function imageGrid(pixels: Float32Array, width: number, height: number, rows: number, cols: number) {
  const gap = 2;
  const W = cols * width + (cols + 1) * gap;
  const H = rows * height + (rows + 1) * gap;
  const gray = new Uint8Array(W * H).fill(128);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const image = (r * cols + c) * width * height;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const v = pixels[image + y * width + x];
          gray[(gap + r * (height + gap) + y) * W + gap + c * (width + gap) + x] = Math.round(
            255 * Math.min(1, Math.max(0, v)),
          );
        }
    }
  return { gray, width: W, height: H };
}

/** imageGrid as a PNG. */
export function imageGridPng(
  pixels: Float32Array,
  width: number,
  height: number,
  rows: number,
  cols: number,
): Uint8Array {
  const grid = imageGrid(pixels, width, height, rows, cols);
  return encodeGrayPng(grid.gray, grid.width, grid.height);
}
