/** The first Python that imports `modules`: $COLLAPSE_LAB_PYTHON, Debian's /usr/bin/python3, then python3 on PATH. */
import { execFileSync } from 'node:child_process';

export function pythonWith(modules: readonly string[]): string | undefined {
  for (const py of [process.env.COLLAPSE_LAB_PYTHON, '/usr/bin/python3', 'python3']) {
    if (!py) continue;
    try {
      execFileSync(py, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
      return py;
    } catch {
      // the next one
    }
  }
  return undefined;
}
