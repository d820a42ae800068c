/**
 * Small real runs for report tests: each a few generations of a preset into a temporary folder, made once per
 * test file. Excluded from the build (tsconfig.build.json skips test-helpers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig, runExperiment } from '../../experiments/run.js';

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'collapse-lab-report-'));
}

const SMALL: Record<string, Record<string, unknown>> = {
  gmm: { generations: 6, samplesPerGeneration: 200, heldOutSize: 500, snapshotGenerations: [0, 2, 5] },
  gaussian: { generations: 30, samplesPerGeneration: 50, heldOutSize: 500 },
  dice: { generations: 20 },
};

/** Runs `preset` small into `out` and returns its folder. */
export async function fixtureRun(
  preset: string,
  out: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const result = await runExperiment(resolveConfig(preset, { ...SMALL[preset], ...overrides }), { out });
  return result.runDir as string;
}

/** The text of every <text> element of an SVG (axis titles, legend labels, panel headers), in order. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** Panels of a concatenated (grid) figure: vega names each one's group concat_<i>_group. */
export function concatPanels(svg: string): number {
  return new Set([...svg.matchAll(/role-scope concat_(\d+)_group/g)].map((m) => m[1])).size;
}
