/**
 * A language model's training set read as texts, the rule SequenceModel.fit states: consecutive real blocks
 * are one text (a model may read across their boundary); any other block is a text of its own.
 */
import { type Dataset, REAL } from '../../core/dataset.js';
import type { SequenceSamples } from '../../core/samples.js';

/** The set as one token stream and the end of each text in it. */
export function trainingStream(train: Dataset<SequenceSamples>): { stream: Int32Array; ends: Int32Array } {
  const { tokens, offsets } = train.samples;
  const n = offsets.length - 1;
  const ends: number[] = [];
  for (let i = 0; i < n; i++) {
    const continues =
      i + 1 < n &&
      train.origin[i] === REAL &&
      train.origin[i + 1] === REAL &&
      train.index[i + 1] === train.index[i] + 1;
    if (!continues) ends.push(offsets[i + 1] - offsets[0]);
  }
  return { stream: tokens.subarray(offsets[0], offsets[n]), ends: Int32Array.from(ends) };
}

/** The same texts, each as its own token array (views into the set's tokens). */
export function trainingTexts(train: Dataset<SequenceSamples>): Int32Array[] {
  const { stream, ends } = trainingStream(train);
  const out: Int32Array[] = [];
  let start = 0;
  for (const end of ends) {
    out.push(stream.subarray(start, end));
    start = end;
  }
  return out;
}
