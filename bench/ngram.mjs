// bench/ngram: one generation of the paper's language-model protocol on WikiText-2 with a Kneser–Ney trigram —
// fit on the 32,634 real blocks of 64 tokens, continue every block by 64 tokens, measure test perplexity — and
// the fit beside the time to merely read and tokenize the corpus, and a generation with the paper's beam search
// (5 beams, 64 new tokens, repetition penalty 3.0).
// Usage: npm run bench -- ngram [--data-dir DIR] [--order N] [--repeats N] [--beam-blocks N]
//   The data folder defaults to $COLLAPSE_LAB_DATA; --beam-blocks 0 (default) runs beam search on every block.
import { parseArgs } from 'node:util';
import { readWikiText } from '../dist/data/wikitext.js';
import { buildWikiTextRealData } from '../dist/experiments/lm.js';
import { continueBlocks, createNgramFamily } from '../dist/families/ngram/index.js';
import { perplexity } from '../dist/families/ngram/kneser-ney.js';
import { deriveRng, labelDataset } from '../dist/index.js';
import { WordTokenizer } from '../dist/tokenizers/index.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    order: { type: 'string', default: '3' },
    repeats: { type: 'string', default: '3' },
    'beam-blocks': { type: 'string', default: '0' },
  },
});
const dataDir = values['data-dir'];
const order = Number(values.order);
const repeats = Number(values.repeats);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const time = (f) => {
  const started = performance.now();
  const result = f();
  return [performance.now() - started, result];
};

// 1. Reading and tokenizing the training split: the floor any fit stands on.
const readTimes = [];
let ids;
for (let r = 0; r < repeats; r++) {
  const [ms, result] = time(() => WordTokenizer.buildAndEncode(readWikiText('train', { dataDir }).text));
  readTimes.push(ms);
  ids = result.ids;
}
const read = median(readTimes);
console.log(`read + tokenize train (${ids.length} tokens): ${seconds(read)} (median of ${repeats})`);

// 2. The fit alone, on the real pool as the loop hands it over.
const real = buildWikiTextRealData(
  { type: 'wikitext', variant: 'tokens', dataDir, blockSize: 64, heldOut: 'test', tokenizer: { type: 'word' } },
  Math.floor(ids.length / 64),
);
const blocks = real.pool.origin.length;
const sampling = createNgramFamily({
  type: 'ngram',
  order,
  decoding: { type: 'sample', temperature: 1, topK: 0 },
  continuationLength: 64,
  fixedPrompts: 3,
  rareTypeFraction: 0.1,
});
const fitCtx = (g) => ({ generation: g, rng: deriveRng(1, g, 'fit'), previous: undefined, progress: () => {} });
const fitTimes = [];
let model;
for (let r = 0; r < repeats; r++) {
  const started = performance.now();
  model = await sampling.fit(real.pool, fitCtx(0));
  fitTimes.push(performance.now() - started);
}
const fit = median(fitTimes);
console.log(
  `fit KN-${order} on ${blocks} blocks (${model.levels.map((l) => l.words.length).join(' + ')} n-grams): ${seconds(fit)} (median of ${repeats})`,
);
console.log(`fit / (read + tokenize) ratio: ${(fit / read).toFixed(2)} (target ≤ 3)`);

// 3. One full generation with sampling: fit, the whole synthetic set, test perplexity.
const started = performance.now();
const m0 = await sampling.fit(real.pool, fitCtx(0));
const fitDone = performance.now();
const synthetic = await sampling.sample(m0, blocks, {
  generation: 0,
  rng: deriveRng(1, 0, 'sample'),
  real,
  progress: () => {},
});
const sampleDone = performance.now();
const testPerplexity = perplexity(m0, real.heldOut.tokens, real.heldOut.offsets);
const generation = performance.now() - started;
console.log(
  `one generation with sampling: ${seconds(generation)} (fit ${seconds(fitDone - started)}, sample ${blocks} × 64 tokens ${seconds(sampleDone - fitDone)}, test perplexity ${seconds(performance.now() - sampleDone)})`,
);
console.log(`generation / 15 s target ratio: ${(generation / 15_000).toFixed(2)}`);
console.log(
  `generation-0 test perplexity (KN-${order}, WikiText-2 test, ${real.heldOut.tokens.length} tokens): ${testPerplexity.toFixed(2)}`,
);

// The whole evaluate step (every metric of the metrics line), for scale.
const [evaluateMs, metrics] = await (async () => {
  const t = performance.now();
  const line = await sampling.evaluate(m0, {
    generation: 0,
    rng: deriveRng(1, 0, 'evaluate'),
    real,
    train: real.pool,
    synthetic,
    generationZero: m0,
    progress: () => {},
  });
  return [performance.now() - t, line];
})();
console.log(
  `evaluate with every metric: ${seconds(evaluateMs)} (synthetic median block perplexity ${metrics.syntheticPerplexityP50.toFixed(1)}, distinct-3 ${metrics.distinct3.toFixed(3)})`,
);

// 4. Generation 1 trained on the synthetic set (the replace policy), to show the first step of collapse.
const m1 = await sampling.fit(labelDataset(synthetic, 0), fitCtx(1));
console.log(
  `generation-1 test perplexity (trained on generation 0's continuations): ${perplexity(m1, real.heldOut.tokens, real.heldOut.offsets).toFixed(2)}`,
);

// 5. The paper's decoding: beam search, 5 beams, exactly 64 new tokens, repetition penalty 3.0.
const beamBlocks = Number(values['beam-blocks']) > 0 ? Math.min(blocks, Number(values['beam-blocks'])) : blocks;
const indices = Int32Array.from({ length: beamBlocks }, (_, i) => i);
const beamDecoding = { type: 'beam', width: 5, repetitionPenalty: 3 };
const beamStarted = performance.now();
continueBlocks(m0, real.pool.samples, indices, 64, beamDecoding, deriveRng(1, 0, 'sample'));
const beam = performance.now() - beamStarted;
const beamFull = (beam * blocks) / beamBlocks;
console.log(
  `beam search (5 beams, 64 tokens, penalty 3) on ${beamBlocks} blocks: ${seconds(beam)}${beamBlocks < blocks ? ` (${seconds(beamFull)} extrapolated to all ${blocks})` : ''}`,
);
console.log(`beam-search generation / sampling generation ratio: ${((fit + beamFull) / generation).toFixed(2)}`);
