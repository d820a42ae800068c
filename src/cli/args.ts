/** Flag parsing shared by the commands: node's parseArgs, plus typed readers whose errors name the flag. */
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import { didYouMean } from '../core/suggest.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** One flag of a command: how it parses and what its help says. */
export interface FlagDoc {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's placeholder in the help: `--out <dir>`. */
  readonly value?: string;
  /** One or more lines (`\n`), aligned under the first in the help. */
  readonly help: string;
}

/** A command, once: its usage lines, what it does, its flags. The parser and `--help` both read it. */
export interface CommandSpec {
  readonly name: string;
  /** Usage lines after `collapse-lab `, e.g. `run <preset> [flags]`. */
  readonly usage: readonly string[];
  readonly description: string;
  readonly flags: Readonly<Record<string, FlagDoc>>;
  /** Text after the flags (examples, a file format). */
  readonly after?: string;
}

/** The command's help, generated from its spec. */
export function helpText(spec: CommandSpec): string {
  const usage = spec.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}collapse-lab ${u}`).join('\n');
  const rows = [
    ...Object.entries(spec.flags).map(([name, f]) => [`--${name}${f.value ? ` <${f.value}>` : ''}`, f.help] as const),
    ['-h, --help', 'this help'] as const,
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const flags = rows
    .map(([left, text]) =>
      text
        .split('\n')
        .map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)} ${line}`.trimEnd())
        .join('\n'),
    )
    .join('\n');
  return `${usage}\n\n${spec.description.trim()}\n\nFlags:\n${flags}\n${spec.after ? `\n${spec.after.trim()}\n` : ''}`;
}

/** Parses a command's arguments by its spec. */
export function parseCommand(argv: string[], spec: CommandSpec): ParsedFlags {
  const flags: FlagSpec = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [name, { type: f.type, ...(f.multiple ? { multiple: true } : {}) }]),
  );
  return parseFlags(argv, flags, spec.name);
}

export interface ParsedFlags {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export function parseFlags(argv: string[], flags: FlagSpec, command: string): ParsedFlags {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(argv, flags),
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as ParsedFlags['values'], positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional.*$/s, '');
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const hint = unknown
      ? didYouMean(unknown.replace(/^-+/, ''), [...Object.keys(flags), 'help'], (f) => `--${f}`)
      : '';
    throw new UsageError(`${command}: ${message}${hint}; see 'collapse-lab ${command} --help'`);
  }
}

/** A string flag's value (undefined when absent). */
export function str(values: ParsedFlags['values'], flag: string): string | undefined {
  const v = values[flag];
  return typeof v === 'string' ? v : undefined;
}

/**
 * `--generations -5` would reach parseArgs as an option named '-5' ("argument is ambiguous"); a string flag
 * followed by something that reads as a negative number takes it as its value, so the flag's own check
 * can say what is wrong with it.
 */
function joinNegativeValues(argv: readonly string[], flags: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name && flags[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** Plain decimal numbers only: Number() would also take '0x5', '0b101', ' 5 ' and 'Infinity'. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A repeatable string flag's values (empty when absent). */
export function strings(values: ParsedFlags['values'], flag: string): string[] {
  const v = values[flag] as unknown;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function intFlag(value: string | undefined, flag: string, min: number, max?: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    const range = max === undefined ? `≥ ${min}` : `in [${min}, ${max.toLocaleString('en-US')}]`;
    throw new UsageError(`--${flag}: expected an integer ${range} in decimal digits, got '${value}'`);
  }
  return n;
}

export function numberFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${flag}: expected a number in [${min}, ${max}], got '${value}'`);
  }
  return n;
}

export function choiceFlag<T extends string>(
  value: string | undefined,
  flag: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T))
    throw new UsageError(`--${flag}: expected one of ${choices.join(', ')}, got '${value}'`);
  return value as T;
}
