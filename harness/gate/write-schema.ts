// Writes schema/policy.schema.json from the zod schema, so editors check release policies with the
// same rules the gate does (policy.test.ts fails when the committed file is stale).
// Run: node --import tsx harness/gate/write-schema.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ROOT } from '../target/config.ts';
import { POLICY_SCHEMA_FILE, policyJsonSchemaText } from './policy.ts';

const out = resolve(ROOT, POLICY_SCHEMA_FILE);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, policyJsonSchemaText());
console.log(`wrote ${POLICY_SCHEMA_FILE}`);
