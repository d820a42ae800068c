/**
 * A small binary container for checkpoints: a JSON header and named typed arrays stored raw (little-endian,
 * 8-byte aligned), so that a million-sample synthetic set or a network's weights round-trip exactly and fast.
 *
 *   'CLAB\x02'  u32 header length  header JSON  padding to 8  data (header.dataLength bytes)  sha256 (32 bytes)
 *
 * The sha256 covers every byte before it and the header states the data's length, so a torn or garbled file is
 * told apart from a whole one on load (DamagedFileError) and resume can fall back to an older checkpoint.
 * Version 1 files ('CLAB\x01', written before checksums) have neither and are still read, bounds-checked.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DamagedFileError } from './errors.js';

type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
const CTORS = { Float64Array, Float32Array, Int32Array, Uint8Array } as const;
type ArrayType = keyof typeof CTORS;

const MAGIC_V1 = 'CLAB\x01';
const MAGIC = 'CLAB\x02';
const PREFIX = MAGIC.length + 4;
const CHECKSUM_BYTES = 32;

export interface Bundle {
  readonly json: unknown;
  readonly arrays: Readonly<Record<string, TypedArray>>;
  /** Files that hold the rest (a model saved by another process), by name → path; run-folder.ts places them. */
  readonly files?: Readonly<Record<string, string>>;
}

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const headerSchema = z.object({
  json: z.unknown(),
  arrays: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['Float64Array', 'Float32Array', 'Int32Array', 'Uint8Array']),
      length: count,
      offset: count,
    }),
  ),
  files: z.record(z.string(), z.string()).optional(),
  /** Version 2: bytes of array data between the header's padding and the checksum. */
  dataLength: count.optional(),
});
type Header = z.infer<typeof headerSchema>;

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
    dataLength: offset,
  };
  const header = Buffer.from(JSON.stringify(fields), 'utf8');
  const dataStart = align8(PREFIX + header.length);
  const end = dataStart + offset;
  const out = Buffer.alloc(end + CHECKSUM_BYTES);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, PREFIX);
  for (const entry of entries) {
    const array = bundle.arrays[entry.name];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, dataStart + entry.offset);
  }
  createHash('sha256').update(out.subarray(0, end)).digest().copy(out, end);
  return out;
}

/** Decodes a bundle, checking its length, checksum and header; throws DamagedFileError naming `what` if it is not whole. */
export function decodeBundle(bytes: Uint8Array, what = 'bundle'): Bundle {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const damaged = (problem: string) => new DamagedFileError(what, problem);
  const magic = buf.length >= PREFIX ? buf.toString('latin1', 0, MAGIC.length) : '';
  if (magic !== MAGIC && magic !== MAGIC_V1) throw damaged('not a collapse-lab checkpoint file (bad magic)');
  const headerLength = buf.readUInt32LE(MAGIC.length);
  if (PREFIX + headerLength > buf.length)
    throw damaged(`truncated: ${buf.length} bytes, the header alone needs ${PREFIX + headerLength}`);
  const header = parseHeader(buf.toString('utf8', PREFIX, PREFIX + headerLength), damaged);
  const dataStart = align8(PREFIX + headerLength);
  if (magic === MAGIC) {
    if (header.dataLength === undefined) throw damaged('the header gives no data length');
    const expected = dataStart + header.dataLength + CHECKSUM_BYTES;
    if (buf.length !== expected)
      throw damaged(`${buf.length} bytes where its header says ${expected} (truncated or extended)`);
    const end = expected - CHECKSUM_BYTES;
    const sum = createHash('sha256').update(buf.subarray(0, end)).digest();
    if (!sum.equals(buf.subarray(end))) throw damaged('checksum mismatch (the bytes changed after they were written)');
  }
  const dataEnd = magic === MAGIC ? buf.length - CHECKSUM_BYTES : buf.length;
  const arrays: Record<string, TypedArray> = {};
  for (const entry of header.arrays) {
    const ctor = CTORS[entry.type];
    const byteLength = entry.length * ctor.BYTES_PER_ELEMENT;
    const start = dataStart + entry.offset;
    if (start + byteLength > dataEnd) throw damaged(`truncated (array '${entry.name}')`);
    // Copy into a fresh, aligned buffer: the file's bytes may not be aligned for the element type.
    const copy = new Uint8Array(byteLength);
    copy.set(buf.subarray(start, start + byteLength));
    arrays[entry.name] = new ctor(copy.buffer);
  }
  return { json: header.json, arrays, ...(header.files ? { files: header.files } : {}) };
}

function parseHeader(text: string, damaged: (problem: string) => DamagedFileError): Header {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw damaged('its header is not JSON');
  }
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damaged(`its header is malformed at '${issue.path.join('.') || '(root)'}': ${issue.message}`);
  }
  return parsed.data;
}
