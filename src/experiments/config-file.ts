/**
 * Reads a config file (JSON, or YAML for files ending in .yaml/.yml) and `--set key=value` overrides. Paths in
 * a config file are relative to the file, not to wherever the command happens to be run from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import { readFileNamed } from '../core/fs-errors.js';
import { findFamily } from '../families/index.js';
import { assertConfigShape } from './config-shape.js';

/** Config fields that hold paths, in every config (a family adds its own with `FamilyDefinition.paths`). */
const REAL_PATH_FIELDS = ['path', 'heldOutPath', 'dataDir'] as const;

export function readConfigFile(file: string, flag = '--config'): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UsageError(`${flag}: file '${file}' does not exist`);
  const text = readFileNamed(file).toString('utf8');
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${flag}: '${file}' is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(error as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      `${flag}: '${file}' must hold an object of settings (got ${Array.isArray(parsed) ? 'a list' : typeof parsed})`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * The config with its relative paths (real.path, real.heldOutPath, real.dataDir and the family's path options)
 * resolved against `baseDir`, the config file's folder. Absolute paths and fields that are not strings stay.
 */
export function resolveConfigPaths(config: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  const resolve = (section: unknown, fields: readonly string[]): unknown => {
    if (section === null || typeof section !== 'object' || Array.isArray(section)) return section;
    const out: Record<string, unknown> = { ...(section as Record<string, unknown>) };
    for (const field of fields) {
      const dot = field.indexOf('.');
      if (dot > 0) {
        // A path inside a nested option (base.corpus): resolve within that object.
        const head = field.slice(0, dot);
        if (out[head] !== undefined) out[head] = resolve(out[head], [field.slice(dot + 1)]);
        continue;
      }
      const value = out[field];
      if (typeof value === 'string' && value !== '' && !path.isAbsolute(value))
        out[field] = path.resolve(baseDir, value);
    }
    return out;
  };
  const family = config.family as { type?: unknown } | undefined;
  const familyPaths = typeof family?.type === 'string' ? (findFamily(family.type)?.paths ?? []) : [];
  return {
    ...config,
    ...(config.real === undefined ? {} : { real: resolve(config.real, REAL_PATH_FIELDS) }),
    ...(config.family === undefined ? {} : { family: resolve(config.family, familyPaths) }),
  };
}

/** A config file, read and with its paths resolved against its own folder. */
export function readConfigFileResolved(file: string, flag = '--config'): Record<string, unknown> {
  return resolveConfigPaths(readConfigFile(file, flag), path.dirname(path.resolve(file)));
}

/**
 * `--set key=value` overrides as one nested object: `family.components=3` sets { family: { components: 3 } }.
 * The value is read as YAML, so numbers, booleans, lists ([1, 2]) and objects ({type: mix}) keep their type.
 */
export function setOverrides(assignments: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const key = eq < 0 ? '' : assignment.slice(0, eq).trim();
    if (eq < 0 || !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(key))
      throw new UsageError(
        `--set: expected key=value with a dotted config field as the key (e.g. family.components=3), got '${assignment}'`,
      );
    let value: unknown;
    try {
      value = parseYaml(assignment.slice(eq + 1));
    } catch (error) {
      throw new UsageError(`--set ${key}: cannot read the value: ${(error as Error).message.split('\n')[0]}`);
    }
    const parts = key.split('.');
    // Would reach Object.prototype through `node[part]`, setting a field on every object in the process.
    if (parts.includes('__proto__'))
      throw new UsageError(`invalid --set:\n  ${key}: '__proto__' is not a setting; remove it`);
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next !== undefined && (next === null || typeof next !== 'object' || Array.isArray(next)))
        throw new UsageError(`--set ${key}: '${part}' was already set to a value, not a section`);
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value ?? null;
  }
  assertConfigShape(out, '--set');
  return out;
}
