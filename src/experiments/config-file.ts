/** Reads a config file: JSON, or YAML for files ending in .yaml/.yml. */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.js';
import { readFileNamed } from '../core/fs-errors.js';

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
