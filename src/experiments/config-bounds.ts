/**
 * What a config may ask for before anything is built: no more items in a set than the lab can hold (the error
 * gives the bound and the memory the request would take), and at least as many as the family needs to fit.
 */
import { formatBytes } from '../core/format-bytes.js';
import type { FamilyDefinition } from '../families/index.js';

/** Items in one set (a synthetic set, the real pool, the held-out set): typed arrays of this many fit in memory. */
export const MAX_ITEMS = 100_000_000;

export interface SizeProblem {
  readonly path: string[];
  readonly message: string;
}

interface SizedConfig {
  readonly samplesPerGeneration: number;
  readonly realSize?: number;
  readonly heldOutSize: number;
  readonly family: { readonly type: string } & Readonly<Record<string, unknown>>;
  readonly real: { readonly type: string } & Readonly<Record<string, unknown>>;
}

/** Every set size above MAX_ITEMS, or below the family's minimum. */
export function sizeProblems(config: SizedConfig, family: FamilyDefinition): SizeProblem[] {
  const problems: SizeProblem[] = [];
  const sizes: [field: string, value: number | undefined][] = [
    ['samplesPerGeneration', config.samplesPerGeneration],
    ['realSize', config.realSize],
    ['heldOutSize', config.heldOutSize],
  ];
  const perItem = bytesPerItem(config, family);
  for (const [field, value] of sizes) {
    if (value === undefined || value <= MAX_ITEMS) continue;
    problems.push({
      path: [field],
      message: `${value.toLocaleString('en-US')} items is above the lab's bound of ${MAX_ITEMS.toLocaleString('en-US')} per set; one set that size would take at least ${formatBytes(value * perItem)} of memory (${perItem} bytes an item); lower it`,
    });
  }
  const minimum = family.minimumSamples?.(config.family);
  if (minimum) {
    for (const [field, value] of [sizes[0], ['realSize', config.realSize ?? config.samplesPerGeneration]] as const) {
      if (value === undefined || value >= minimum.count) continue;
      problems.push({
        path: [field],
        message: `family '${family.name}' needs at least ${minimum.count} items to fit (${minimum.why})${field === 'realSize' && config.realSize === undefined ? ' (realSize defaults to samplesPerGeneration)' : ''}`,
      });
    }
  }
  return problems;
}

/** A floor on one item's memory: its values, plus provenance (origin and index, 4 bytes each). */
function bytesPerItem(config: SizedConfig, family: FamilyDefinition): number {
  const provenance = 8;
  const real = config.real as Record<string, unknown>;
  switch (family.sampleKind) {
    case 'vectors': {
      const mean = real.mean ?? (real.means as unknown[] | undefined)?.[0];
      return 8 * (Array.isArray(mean) ? mean.length : 1) + provenance;
    }
    case 'sequences':
      return 4 * (typeof real.blockSize === 'number' ? real.blockSize : 64) + 4 + provenance;
    default:
      return 4 + provenance;
  }
}
