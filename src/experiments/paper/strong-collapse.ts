/** Strong collapse (experiments/remedies/strong-collapse.ts) as a reproduce section: one fit per cell, no loop. */
import { fmt, share } from '../format.js';
import {
  STRONG_COLLAPSE_FULL,
  STRONG_COLLAPSE_QUICK,
  type StrongCollapseCell,
  type StrongCollapseFamily,
  strongCollapse,
} from '../remedies/strong-collapse.js';
import type { PaperClaim, PaperExperiment } from './experiment.js';

const cellsOf = (computed: unknown) => computed as readonly StrongCollapseCell[];
const z = (c: StrongCollapseCell) => (c.error2 - c.theory) / c.se;

/** The numbers of the claim for one family: errors at the two largest sizes for p = 1%, 0.1% and 0. */
export function plateau(cells: readonly StrongCollapseCell[], family: StrongCollapseFamily) {
  const mine = cells.filter((c) => c.family === family);
  const sizes = [...new Set(mine.map((c) => c.size))].sort((a, b) => a - b);
  const [before, largest] = sizes.slice(-2);
  const at = (p: number, n: number) => mine.find((c) => c.fraction === p && c.size === n) as StrongCollapseCell;
  return {
    largest,
    onePercent: at(0.01, largest),
    onePercentBefore: at(0.01, before),
    tenthPercent: at(0.001, largest),
    clean: at(0, largest),
    worstZ: Math.max(...mine.map((c) => Math.abs(z(c)))),
  };
}

function claim(family: StrongCollapseFamily): PaperClaim {
  const what = family === 'gaussian' ? 'the mean’s squared error' : 'the frequencies’ squared L2 error';
  return {
    claim: `With a fixed synthetic share the error plateaus at a level that grows with the share, instead of going to 0 (${family})`,
    source: 'Dohmatob, Feng, Subramonian, Kempe 2025, "Strong Model Collapse"; closed form theory/strong-collapse.ts',
    bar: `${what} at p = 1%: from 100× to 1000× the base size it falls by less than half (a clean estimator falls 10×) and ends above 5× the clean error; at the largest size 1% > 0.1%; every cell within |z| < 3.5 of the closed form`,
    measure(_groups, computed) {
      const p = plateau(cellsOf(computed), family);
      const kept = p.onePercent.error2 / p.onePercentBefore.error2;
      const pass =
        kept > 0.5 &&
        p.onePercent.error2 > 5 * p.clean.error2 &&
        p.onePercent.error2 > p.tenthPercent.error2 &&
        p.worstZ < 3.5;
      return {
        measured: `at n = ${fmt(p.largest)}: 1% ${fmt(p.onePercent.error2)} (×${fmt(kept)} over the last 10×), 0.1% ${fmt(p.tenthPercent.error2)}, clean ${fmt(p.clean.error2)}; worst |z| ${fmt(p.worstZ)}`,
        pass,
      };
    },
  };
}

export const strongCollapseExperiment: PaperExperiment = {
  id: 'strong-collapse',
  title: 'Strong collapse: a fixed synthetic share puts a floor under the error',
  claim:
    'Training once on n items of which a fixed share p comes from a biased generator, the error falls to a floor set by p and the bias, not to 0, however large n grows (Dohmatob, Feng, Subramonian, Kempe 2025).',
  configs: () => [],
  compute: (quick) => strongCollapse(quick ? STRONG_COLLAPSE_QUICK : STRONG_COLLAPSE_FULL),
  figures: () => [],
  claims: [claim('gaussian'), claim('categorical')],
  findings(_groups, computed) {
    const cells = cellsOf(computed);
    const [g, c] = [plateau(cells, 'gaussian'), plateau(cells, 'categorical')];
    return {
      sentences: [
        `The Gaussian's mean, with 1% of its data from N(2, 0.5²): squared error ${fmt(g.onePercent.error2)} at n = ${fmt(g.largest)} against ${fmt(g.clean.error2)} clean; the floor (p·b)² = ${fmt((0.01 * 2) ** 2)}.`,
        `Zipf over 100 outcomes with 1% from a model that kept only the mode: squared L2 ${fmt(c.onePercent.error2)} against ${fmt(c.clean.error2)} clean.`,
      ],
      table: {
        headers: ['family', 'synthetic share p', 'n', 'measured error² ± se', 'closed form', 'z'],
        rows: cells.map((x) => [
          x.family,
          x.fraction === 0 ? '0' : share(x.fraction),
          fmt(x.size),
          `${fmt(x.error2)} ± ${fmt(x.se)}`,
          fmt(x.theory),
          fmt(z(x)),
        ]),
      },
    };
  },
};
