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

/**
 * The environment for a PyTorch reference at `threads` threads: every pool (OpenMP, OpenBLAS, MKL) pinned to
 * the same count as ours, and OpenMP's workers passive — GNU OpenMP's default busy-waiting fights OpenBLAS's
 * for the cores and PyTorch ran at half speed (tiny GPT 6,126 vs 12,109 tokens/s passive).
 */
export function torchEnv(threads) {
  const t = String(threads);
  return {
    ...process.env,
    OMP_NUM_THREADS: t,
    OPENBLAS_NUM_THREADS: t,
    MKL_NUM_THREADS: t,
    OMP_WAIT_POLICY: 'PASSIVE',
  };
}
