/**
 * A small binary container for checkpoints: a JSON header and named typed arrays stored raw (little-endian,
 * 8-byte aligned), so that a million-sample synthetic set or a network's weights round-trip exactly and fast.
 */

type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
const CTORS = { Float64Array, Float32Array, Int32Array, Uint8Array } as const;
type ArrayType = keyof typeof CTORS;

const MAGIC = 'CLAB\x01';

export interface Bundle {
  readonly json: unknown;
  readonly arrays: Readonly<Record<string, TypedArray>>;
  /** Files that hold the rest (a model saved by another process), by name → path; run-folder.ts places them. */
  readonly files?: Readonly<Record<string, string>>;
}

interface Header {
  json: unknown;
  arrays: { name: string; type: ArrayType; length: number; offset: number }[];
  files?: Record<string, string>;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeBundle(bundle: Bundle): Buffer {
  const entries: Header['arrays'] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(bundle.arrays)) {
    const type = array.constructor.name as ArrayType;
    if (!(type in CTORS)) throw new TypeError(`bundle: array '${name}' has unsupported type ${type}`);
    entries.push({ name, type, length: array.length, offset });
    offset = align8(offset + array.byteLength);
  }
  const fields: Header = {
    json: bundle.json,
    arrays: entries,
    ...(bundle.files ? { files: { ...bundle.files } } : {}),
  };
  const header = Buffer.from(JSON.stringify(fields), 'utf8');
  const dataStart = align8(MAGIC.length + 4 + header.length);
  const out = Buffer.alloc(dataStart + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  for (const entry of entries) {
    const array = bundle.arrays[entry.name];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, dataStart + entry.offset);
  }
  return out;
}

export function decodeBundle(bytes: Uint8Array, what = 'bundle'): Bundle {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${what}: not a collapse-lab checkpoint file (bad magic)`);
  }
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength)) as Header;
  const dataStart = align8(MAGIC.length + 4 + headerLength);
  const arrays: Record<string, TypedArray> = {};
  for (const entry of header.arrays) {
    const ctor = CTORS[entry.type];
    const byteLength = entry.length * ctor.BYTES_PER_ELEMENT;
    const start = dataStart + entry.offset;
    if (start + byteLength > buf.length) throw new Error(`${what}: truncated (array '${entry.name}')`);
    // Copy into a fresh, aligned buffer: the file's bytes may not be aligned for the element type.
    const copy = new Uint8Array(byteLength);
    copy.set(buf.subarray(start, start + byteLength));
    arrays[entry.name] = new ctor(copy.buffer);
  }
  return { json: header.json, arrays, ...(header.files ? { files: header.files } : {}) };
}
