// Writes schema/target.schema.json from the zod schema, so editors check target configs with the
// same rules hilt does (pnpm schema; schema.test.ts fails when the committed file is stale).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ROOT } from './config.ts';
import { SCHEMA_FILE, targetJsonSchemaText } from './schema.ts';

const out = resolve(ROOT, SCHEMA_FILE);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, targetJsonSchemaText());
console.log(`wrote ${SCHEMA_FILE}`);
