/** `replace`: train only on the previous generation's samples — the setting of "The Curse of Recursion". */
import type { Dataset } from '../core/dataset.js';
import type { DataPolicy, PolicyContext } from '../core/policy.js';

export function replacePolicy(): DataPolicy {
  return {
    name: 'replace',
    retains: 'latest',
    build: (ctx) => ({ train: previousSynthetic(ctx) }),
  };
}

/** The set made by generation g-1, with a clear error if a policy was asked for one it did not retain. */
export function previousSynthetic(ctx: PolicyContext): Dataset {
  const last = ctx.synthetic[ctx.generation - 1];
  if (!last) throw new Error(`generation ${ctx.generation - 1}'s synthetic set is not available`);
  return last;
}
