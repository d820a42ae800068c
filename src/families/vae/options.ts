/** The `vae` family's config section. Defaults are the paper notebook's settings, so presets name only what differs. */
import { z } from 'zod';

export const vaeOptions = z
  .object({
    type: z.literal('vae'),
    /** 'conv': the paper's convolutional VAE; 'mlp': a fast 784-hidden-latent MLP VAE. */
    architecture: z.enum(['conv', 'mlp']).default('conv'),
    latent: z.number().int().min(1).max(1024).default(20),
    /** Conv VAE channels (c, then 2c). */
    capacity: z.number().int().min(1).max(512).default(64),
    /** MLP VAE hidden width. */
    hidden: z.number().int().min(1).max(8192).default(400),
    epochs: z.number().int().min(1).default(30),
    batchSize: z.number().int().min(1).default(256),
    learningRate: z.number().positive().default(1e-3),
    /** Coupled L2 (added to the gradient), as PyTorch's Adam(weight_decay=...) in the notebook; not AdamW. */
    weightDecay: z.number().min(0).default(1e-5),
    /** 'fresh': a newly initialised VAE each generation; 'previous': fine-tune the previous generation's. */
    init: z.enum(['fresh', 'previous']).default('fresh'),
    /**
     * 'fixed': train on the training set the policy built (N images made by the previous generation).
     * 'streamed' (the notebook's): every batch slot holding the previous generation's image gets a fresh prior
     * sample through the previous decoder instead, so each epoch sees new synthetic images; real images (mix)
     * and older generations' images (accumulate) are used as stored.
     */
    data: z.enum(['fixed', 'streamed']).default('fixed'),
    /** What a decoder emits as an image: its Bernoulli means, or a binary draw from them. */
    synthetic: z.enum(['mean', 'bernoulli']).default('mean'),
    /** Prior samples for the low-noise latent statistics (the notebook uses 100, also reported). */
    latentProbe: z.number().int().min(2).default(10_000),
    /** Synthetic images whose mean pairwise distance is measured (all pairs: O(n²)). */
    diversitySamples: z.number().int().min(2).default(1000),
    /**
     * Judge samples with a digit classifier (trained once on MNIST's training images, cached by checksum): digit
     * shares and entropy, confidence, FID-like distance. Only with MNIST as the real data.
     */
    classifier: z.boolean().default(true),
    /** The engine backend ('auto': native, else WebAssembly, else TypeScript). */
    backend: z.enum(['auto', 'native', 'wasm', 'js']).default('auto'),
  })
  .strict();
export type VaeOptions = z.infer<typeof vaeOptions>;
