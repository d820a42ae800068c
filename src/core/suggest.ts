/** "Did you mean …?" for a near-miss name (a flag, a command, a preset), by edit distance. */
import { distance } from 'fastest-levenshtein';

/** The closest candidate within about a third of the word's length (at least 2 edits), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMean(word: string, candidates: Iterable<string>, quote = (s: string) => `'${s}'`): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : ` (did you mean ${quote(hit)}?)`;
}
