/**
 * Checks on a config's raw shape, before zod sees it: nesting no deeper than any real config (a crafted deep
 * one would overflow the stack of the schema and the error formatter), and no `__proto__` key (YAML and JSON
 * both make it an own key, and merging it into a preset would set the object's prototype, hiding its keys
 * from the unknown-key check). Walks with its own stack, so a deep input cannot overflow this check either.
 */
import { UsageError } from '../core/errors.js';

/** Deeper than any config the lab reads (policy → source → selection is 4). */
export const MAX_CONFIG_DEPTH = 16;

export function assertConfigShape(input: unknown, source: string): void {
  const stack: { value: unknown; path: string[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string[] };
    if (value === null || typeof value !== 'object') continue;
    const field = path.join('.') || '(root)';
    if (path.length > MAX_CONFIG_DEPTH)
      throw new UsageError(
        `invalid ${source}:\n  ${path.slice(0, 6).join('.')}…: nested ${path.length} levels deep; a config is at most ${MAX_CONFIG_DEPTH}`,
      );
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null)
      throw new UsageError(`invalid ${source}:\n  ${field}: must be a plain object of settings`);
    for (const key of Object.keys(value)) {
      if (key === '__proto__')
        throw new UsageError(
          `invalid ${source}:\n  ${[...path, key].join('.')}: '__proto__' is not a setting; remove it`,
        );
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
}
