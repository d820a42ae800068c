/** Provenance watermarks: the green list a sampler biases towards, and the detector that finds it. */
export { type Detection, detect, detectSequences, zScore } from './detector.js';
export { GreenList, WATERMARK_DEFAULTS, type WatermarkOptions } from './green-list.js';
export { type WatermarkConfig, watermarkSchema } from './schema.js';
export { watermarkedItems } from './share.js';
