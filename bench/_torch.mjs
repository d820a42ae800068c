// Shared by the benchmarks that compare against PyTorch: the first Python that can import torch.
import { execFileSync } from 'node:child_process';

/** $PYTHON, python3 or /usr/bin/python3, whichever imports torch first; null when none does. */
export function findTorchPython() {
  for (const py of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean)) {
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next interpreter
    }
  }
  return null;
}
