/** A run's numbers against a closed form: the measured value, theory's expectation and spread, and the z-score. */
export interface TheoryCheck {
  readonly name: string;
  readonly measured: number;
  readonly expected: number;
  readonly sd: number;
  readonly z: number;
  /** |z| < 3.5: within theory's band. */
  readonly inBand: boolean;
}
