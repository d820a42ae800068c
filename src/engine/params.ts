/**
 * Parameter save/load: a self-describing little-endian blob. Layout: "CLENG1\n", a u32 header length, a JSON
 * header {name: shape}, then each tensor's float32 values in header order. Loading checks names and shapes.
 */
import type { Tensor } from './tensor.js';

const MAGIC = 'CLENG1\n';

export function saveParams(named: Readonly<Record<string, Tensor>>): Uint8Array {
  const names = Object.keys(named);
  const header = new TextEncoder().encode(JSON.stringify(Object.fromEntries(names.map((k) => [k, named[k].shape]))));
  const floats = names.reduce((acc, k) => acc + named[k].size, 0);
  const start = align4(MAGIC.length + 4 + header.length);
  const bytes = new Uint8Array(start + floats * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  let offset = start;
  for (const k of names) {
    const d = named[k].data;
    for (let i = 0; i < d.length; i++, offset += 4) view.setFloat32(offset, d[i], true);
  }
  return bytes;
}

export function loadParams(bytes: Uint8Array, named: Readonly<Record<string, Tensor>>): void {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error('engine: not a parameter file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLength)),
  ) as Record<string, number[]>;
  const stored = Object.keys(header);
  const wanted = Object.keys(named);
  const missing = wanted.filter((k) => !(k in header));
  const extra = stored.filter((k) => !(k in named));
  if (missing.length > 0 || extra.length > 0)
    throw new Error(
      `engine: parameter names differ (missing: ${missing.join(', ') || '-'}; extra: ${extra.join(', ') || '-'})`,
    );
  let offset = align4(MAGIC.length + 4 + headerLength);
  for (const k of stored) {
    const t = named[k];
    const shape = header[k];
    if (shape.length !== t.shape.length || shape.some((d, i) => d !== t.shape[i]))
      throw new Error(`engine: parameter ${k} has shape [${shape}] in the file but [${t.shape}] in the model`);
    if (offset + t.size * 4 > bytes.byteLength) throw new Error(`engine: parameter file truncated at ${k}`);
    for (let i = 0; i < t.size; i++, offset += 4) t.data[i] = view.getFloat32(offset, true);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
