// Writes docs/schemas/*.schema.json from the zod formats in src/core/file-formats.ts (run `npm run build` first).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas } from '../dist/core/file-formats.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'schemas');
fs.mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  fs.writeFileSync(path.join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/schemas/${name}`);
}
