import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8 } from './utf8.js';

const strict = new TextDecoder('utf-8', { fatal: true });
const valid = (b: Uint8Array) => {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('decodeUtf8', () => {
  it('names the offset of the first invalid byte, agreeing with the platform decoder', () => {
    expect(decodeUtf8(Buffer.from('café', 'latin1'))).toEqual({ invalidAt: 3 });
    expect(decodeUtf8(Buffer.from('café ✓', 'utf8'))).toEqual({ text: 'café ✓' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 }), (noise, text) => {
        const bytes = Buffer.concat([Buffer.from(text, 'utf8'), noise]);
        const result = decodeUtf8(bytes);
        if ('text' in result) return valid(bytes);
        // Everything before the offset is valid; the bytes from it on do not start a valid sequence.
        return (
          result.invalidAt >= Buffer.byteLength(text) && valid(bytes.subarray(0, result.invalidAt)) && !valid(bytes)
        );
      }),
      { numRuns: 2000 },
    );
  });
});
