/**
 * Bulk data between the lab and a trainer: raw little-endian typed arrays in files under the scratch folder,
 * described in the protocol line by path, dtype and shape. Reading checks the size the request promised, so a
 * short or overlong file is an error, never misread data.
 */
import fs from 'node:fs';
import { RequestFailure } from './trainer-process.js';

export type Dtype = 'int32' | 'float32' | 'float64';
type Typed = Int32Array | Float32Array | Float64Array;

const CTORS = { int32: Int32Array, float32: Float32Array, float64: Float64Array } as const;

export function dtypeOf(array: Typed): Dtype {
  return array instanceof Int32Array ? 'int32' : array instanceof Float32Array ? 'float32' : 'float64';
}

/** Writes the array's bytes (scratch data: the checkpoint, not this file, is what makes a model durable). */
export function writeArray(file: string, array: Typed): string {
  fs.writeFileSync(file, Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  return file;
}

/** Reads `length` values of `dtype` that the trainer wrote to `file`; anything else is a protocol failure. */
export function readArray<D extends Dtype>(file: string, dtype: D, length: number): InstanceType<(typeof CTORS)[D]> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new RequestFailure('protocol', `it did not write ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
  const Ctor = CTORS[dtype];
  const expected = length * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length !== expected)
    throw new RequestFailure(
      'protocol',
      `it wrote ${bytes.length} bytes to ${file}; ${length} ${dtype} values (${expected} bytes) were asked for`,
    );
  const out = new Ctor(length);
  new Uint8Array(out.buffer).set(bytes);
  return out as InstanceType<(typeof CTORS)[D]>;
}

/** Every value finite (and, with bounds, inside them), or a protocol failure naming the first that is not. */
export function assertValues(values: ArrayLike<number>, what: string, low = -Infinity, high = Infinity): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(Number.isFinite(v) && v >= low && v <= high))
      throw new RequestFailure('protocol', `${what}[${i}] is ${v}; values must be finite, in [${low}, ${high}]`);
  }
}
