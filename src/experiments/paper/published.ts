/**
 * What each reproduce experiment redraws from the paper — Shumailov, Shumaylov, Zhao, Papernot, Anderson, Gal,
 * "AI models collapse when trained on recursively generated data", Nature 631, 755–759 (2024); preprint "The
 * Curse of Recursion", arXiv 2305.17493 — and what the paper reports there, so the report sets the paper's
 * outcome beside ours. Experiments the paper does not have say where they come from instead.
 */
export const PAPER = {
  citation:
    'Shumailov et al., "AI models collapse when trained on recursively generated data", Nature 631, 755–759 (2024); arXiv 2305.17493',
  short: 'Shumailov et al. (Nature 2024)',
} as const;

export interface Published {
  /** The paper's figure or analysis this experiment redraws (or, for an extension, its source). */
  readonly redraws: string;
  /** The paper's value or qualitative outcome there. */
  readonly reported: string;
}

export const PUBLISHED: Readonly<Record<string, Published>> = {
  dice: {
    redraws:
      "the paper's discrete-distribution analysis (statistical approximation error: a die rolled 100 times, 'discrete distributions with exact approximation')",
    reported:
      'a finite sample gives some outcomes probability 0, and they never return: the chain is absorbed in a delta function, a single outcome, with probability 1',
  },
  zipf: {
    redraws:
      "an extension of the paper's discrete analysis to a heavy tail (Zipf over 1,000 outcomes), after Dohmatob et al. 2024, 'A Tale of Tails'",
    reported: 'the paper: the tails of the original distribution disappear first',
  },
  gaussian: {
    redraws:
      "the paper's single-dimensional Gaussian (its theorem on Gaussian model collapse, and its figure of refits with M samples)",
    reported:
      'σ²ₙ → 0 almost surely while E[W₂²] to the original grows without bound; more samples per generation only slow it',
  },
  gmm: {
    redraws: "the paper's Gaussian-mixture figure: EM refits at generations 0, 50, 100, 150, 200, 350 and 2,000",
    reported:
      'the mixture drifts from the original and by generation 2,000 has collapsed to a narrow blob of very small variance',
  },
  'gmm-two': {
    redraws: "the paper's text on two well-separated Gaussians refitted by EM",
    reported: 'the two modes are fitted well at first, then drift, lose their tails and shrink',
  },
  ngram: {
    redraws:
      "the paper's OPT-125m experiment on WikiText-2 (test perplexity per generation, no data kept vs 10% kept; per-sequence perplexity histograms under generation 0)",
    reported:
      'generation 0 ≈ 34 ppl (fine-tuned OPT-125m); with no original data, generations 1–9 are 20–28 points worse; with 10% kept, degradation is minor; later generations write sequences generation 0 finds likely, plus a long tail of errors',
  },
  mitigations: {
    redraws:
      "not a figure of the paper: the remedies argued since — keep real data (the paper's 10% kept), accumulate (Gerstgrasser et al. 2024), verify (Feng et al. 2024)",
    reported: 'the paper: keeping original data slows collapse; accumulating data avoids it (Gerstgrasser et al. 2024)',
  },
  watermark: {
    redraws:
      "not a figure of the paper: provenance watermarks (Kirchenbauer et al. 2023) as the paper's call to tell human data from model data",
    reported:
      'the paper: data about genuine human interactions becomes increasingly valuable; provenance must be tracked',
  },
  vae: {
    redraws: "the paper's VAE on MNIST: samples from the prior through generations 0, 5 and 20, and the latent density",
    reported:
      'samples lose variety generation after generation; by generation 20 they converge to a few blurred, unimodal shapes',
  },
};
