import fs from 'node:fs';

const responseDir = new URL('../../schemas/responses/', import.meta.url);

/**
 * The schemas of response `data` (AAA results, dictionary lists, reloads…), by `$id`. Kept apart
 * from the request schemas so the request validator never compiles them.
 */
export function loadResponseSchemas(): Record<string, Record<string, unknown>> {
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const file of fs
    .readdirSync(responseDir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const schema = JSON.parse(fs.readFileSync(new URL(file, responseDir), 'utf8')) as Record<string, unknown>;
    schemas[String(schema.$id)] = schema;
  }
  return schemas;
}
