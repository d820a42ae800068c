/**
 * The user's own real data: a CSV file (comma, semicolon, tab or whitespace separated; a header row is
 * skipped) or a JSON-lines file (each line an array of numbers, or an object with a `values` array).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { readFileNamed } from '../core/fs-errors.js';
import { sha256Of } from './download.js';

export interface VectorFile {
  readonly values: Float64Array;
  readonly dim: number;
  readonly count: number;
  readonly sha256: string;
}

export function readVectorFile(file: string, field = 'real.path'): VectorFile {
  if (!fs.existsSync(file))
    throw new UsageError(
      `${field}: file '${file}' does not exist; give the path of a CSV or JSON-lines file of vectors`,
    );
  const bytes = readFileNamed(file);
  const text = bytes.toString('utf8');
  const jsonLines = /\.jsonl?$/i.test(path.extname(file)) || /^\s*[[{]/.test(text);
  const rows = jsonLines ? parseJsonLines(text, file) : parseCsv(text, file);
  if (rows.length === 0) throw new UsageError(`${field}: '${file}' holds no data rows`);
  const dim = rows[0].length;
  const values = new Float64Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim)
      throw new UsageError(
        `${file}: row ${i + 1} has ${row.length} values but the first row has ${dim}; every row needs the same dimension`,
      );
    values.set(row, i * dim);
  });
  return { values, dim, count: rows.length, sha256: sha256Of(bytes) };
}

function parseCsv(text: string, file: string): number[][] {
  const rows: number[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const cells = trimmed.split(/[,;\t]|\s+/).filter((c) => c !== '');
    const numbers = cells.map(Number);
    if (numbers.some((v) => !Number.isFinite(v))) {
      if (rows.length === 0 && i === firstContentLine(text)) return; // a header row
      throw new UsageError(`${file}: line ${i + 1} has a value that is not a finite number: '${trimmed.slice(0, 80)}'`);
    }
    rows.push(numbers);
  });
  return rows;
}

function firstContentLine(text: string): number {
  return text.split(/\r?\n/).findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function parseJsonLines(text: string, file: string): number[][] {
  const rows: number[][] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new UsageError(`${file}: line ${i + 1} is not valid JSON`);
    }
    const row = Array.isArray(parsed) ? parsed : (parsed as { values?: unknown })?.values;
    if (!Array.isArray(row) || row.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new UsageError(`${file}: line ${i + 1} must be an array of finite numbers or {"values": [...]}`);
    }
    rows.push(row as number[]);
  });
  return rows;
}
