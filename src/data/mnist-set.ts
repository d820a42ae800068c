/**
 * MNIST as a run uses it, whatever it was read from: files in Node (mnist.ts), bytes a page fetched in a browser.
 * Nothing here reads a file.
 */
export type MnistSplit = 'train' | 'test';
export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

export interface MnistSet {
  /** count × 784 pixels in [0, 1] (byte / 255), row-major per image. */
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** sha256 of the two files as read (gz or plain): identifies the data, e.g. for a cached classifier. */
  readonly sha256: string;
}

/** A set from raw pixel bytes (count × 784, 0…255, as in the IDX file after its header) and labels. */
export function mnistSetFromBytes(bytes: Uint8Array, labels: Uint8Array, sha256 = ''): MnistSet {
  const count = labels.length;
  if (bytes.length !== count * MNIST_PIXELS)
    throw new RangeError(`MNIST: ${bytes.length} pixel bytes for ${count} labels (need ${count * MNIST_PIXELS})`);
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[i] / 255;
  return { pixels, labels, count, sha256 };
}
