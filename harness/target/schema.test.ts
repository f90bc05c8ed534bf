import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './config.ts';
import { SCHEMA_FILE, targetConfigSchema, targetJsonSchemaText } from './schema.ts';

describe('schema/target.schema.json', () => {
  it('is what the generator makes from the zod schema', () => {
    let committed = '';
    try {
      committed = readFileSync(resolve(ROOT, SCHEMA_FILE), 'utf8');
    } catch {
      // missing: fails below with the same advice
    }
    expect(committed === targetJsonSchemaText(), `${SCHEMA_FILE} is stale or missing: run \`pnpm schema\` and commit it`).toBe(true);
  });

  it('is a draft 2020-12 schema that rejects unknown keys and describes every field', () => {
    const schema = JSON.parse(targetJsonSchemaText()) as {
      $schema: string;
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(Object.keys(targetConfigSchema.shape));
    for (const [key, prop] of Object.entries(schema.properties)) expect(prop.description, key).toBeTruthy();
  });
});
