/**
 * `stopWhen: "variance<1e-12"`: a run ends once a metric crosses a bound, instead of spending its remaining
 * generations on a distribution that has already collapsed to a point. The rule is part of the config, so a
 * resumed run stops where an uninterrupted one would.
 */
import { UsageError } from '../core/errors.js';
import type { Metrics } from '../core/family.js';

const RULE = /^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*$/i;

export interface StopRule {
  readonly metric: string;
  readonly op: '<' | '<=' | '>' | '>=';
  readonly bound: number;
  readonly text: string;
}

/** Whether `text` is a rule (for the config schema's message). */
export function isStopRule(text: string): boolean {
  return RULE.test(text);
}

export function parseStopRule(text: string): StopRule {
  const m = RULE.exec(text);
  if (!m)
    throw new UsageError(
      `stopWhen: expected <metric><op><number> with op one of <, <=, >, >= (e.g. "variance<1e-12"), got '${text}'`,
    );
  return { metric: m[1], op: m[2] as StopRule['op'], bound: Number(m[3]), text: text.trim() };
}

/**
 * Whether the metrics line meets the rule. A metric the line does not have is a config error, found at
 * generation 0: the message lists the metrics there are.
 */
export function ruleMet(rule: StopRule, line: Metrics): boolean {
  const value = line[rule.metric];
  if (typeof value !== 'number')
    throw new UsageError(
      `stopWhen: '${rule.metric}' is not a number in this run's metrics; choose one of ${Object.keys(line)
        .filter((k) => typeof line[k] === 'number' && k !== 'generation')
        .join(', ')}`,
    );
  switch (rule.op) {
    case '<':
      return value < rule.bound;
    case '<=':
      return value <= rule.bound;
    case '>':
      return value > rule.bound;
    case '>=':
      return value >= rule.bound;
  }
}
