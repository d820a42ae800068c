/**
 * The import graph keeps its shape: every import points down a layer (or within its own), no family imports
 * another family, and no chain of imports closes a circle. The layers are the ones docs/design.md draws; a new
 * folder under src/ must be given a place here before it builds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Top to bottom. A module belongs to the first layer whose pattern matches its path under src/. */
const LAYERS: readonly [name: string, pattern: RegExp][] = [
  ['cli', /^cli\//],
  ['server', /^server\//],
  ['library API', /^index\.ts$/],
  ['playground', /^playground\//],
  ['sweeps', /^sweeps\//],
  ['experiments', /^experiments\//],
  ['reports', /^reports\//],
  ['family registry', /^families\/index\.ts$/],
  ['families', /^families\/(?!lm\/|definition\.ts)[^/]+\//],
  ['lm room', /^families\/lm\//],
  ['family contract', /^families\/definition\.ts$/],
  ['plots', /^plots\//],
  ['policies', /^policies\//],
  ['metrics', /^metrics\//],
  ['theory', /^theory\//],
  ['data', /^data\//],
  ['tokenizers', /^tokenizers\//],
  ['watermark', /^watermark\//],
  ['math', /^math\//],
  ['core', /^core\//],
  ['engine', /^engine\//],
  ['numeric', /^numeric\//],
];

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-helpers' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Module (path under src/, .ts) → the modules it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => {
      const spec = (m[1] ?? m[2]).replace(/\.js$/, '.ts');
      return path.relative(SRC, path.resolve(path.dirname(file), spec));
    });
    graph.set(path.relative(SRC, file), targets);
  }
  return graph;
}

function layerOf(module: string): number {
  const rank = LAYERS.findIndex(([, pattern]) => pattern.test(module));
  if (rank < 0) throw new Error(`${module}: in no layer; give its folder a place in test/layers.test.ts`);
  return rank;
}

/** The family folder of a module under families/<name>/, if any. */
const familyOf = (module: string) => /^families\/([^/]+)\//.exec(module)?.[1];

describe('the import graph', () => {
  const graph = importGraph();

  it('finds the modules and their imports (the scan itself works)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('experiments/run.ts')).toContain('core/loop.ts');
    for (const targets of graph.values()) for (const t of targets) expect(graph.has(t), t).toBe(true);
  });

  it('points down: no module imports a layer above its own, and no family imports another', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const [a, b] = [layerOf(from), layerOf(to)];
        const crossFamily = LAYERS[a][0] === 'families' && b === a && familyOf(from) !== familyOf(to);
        if (b < a || crossFamily) upward.push(`${from} (${LAYERS[a][0]}) → ${to} (${LAYERS[b][0]})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no circles', () => {
    // Tarjan's strongly connected components: any component of more than one module is a circle.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || graph.get(v)?.includes(v)) circles.push(component.sort());
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(circles).toEqual([]);
  });
});
