/**
 * Family `vae`: a variational autoencoder on images (MNIST), the paper's second learned model. Each generation
 * trains a VAE on images decoded by the previous one; the samples lose their variety and drift towards a few
 * blurred prototypes. The conv VAE is the notebook's (capacity 64, latent 20, batch 256, 30 epochs, Adam 1e-3
 * with coupled weight decay 1e-5); the MLP VAE (784-400-20) is the fast one.
 */
import { defineVaeFamily } from './define.js';
import { NODE_VAE_HOST } from './node-host.js';

export const vaeFamily = defineVaeFamily(NODE_VAE_HOST);
