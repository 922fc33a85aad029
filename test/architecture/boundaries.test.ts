import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importGraph, importsOf } from './import-graph.js';
import { KNOWN_EXCEPTIONS, cycles, edgeKey, layerOf, violation } from './layers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graph = importGraph(ROOT);

describe('import boundaries of src', () => {
  it('reads the graph (a parser that finds nothing would pass everything)', () => {
    expect(graph.length).toBeGreaterThan(200);
    expect(graph).toContainEqual({ from: 'src/radius/codec/packet.ts', to: 'src/radius/dictionary/index.ts', external: false });
    expect(graph).toContainEqual({ from: 'src/http/app.ts', to: 'koa', external: true });
  });

  it('no lower layer imports a higher one, and src/radius imports nothing outside itself', () => {
    const broken = graph.filter((edge) => violation(edge) !== undefined && !KNOWN_EXCEPTIONS.has(edgeKey(edge)));
    expect(broken.map((edge) => violation(edge))).toEqual([]);
  });

  it('every known exception still exists (remove it from the list once fixed)', () => {
    const present = new Set(graph.map(edgeKey));
    expect([...KNOWN_EXCEPTIONS.keys()].filter((key) => !present.has(key))).toEqual([]);
  });

  it('src/radius has no import cycles, type-only ones included', () => {
    expect(cycles(graph.filter((edge) => edge.from.startsWith('src/radius/')))).toEqual([]);
  });
});

describe('the rules themselves', () => {
  const edgesOf = (file: string, text: string) => importsOf(ROOT, path.join(ROOT, file), text);

  it('finds every form of import, and none in comments or strings', () => {
    const text = [
      "import type { A } from '../../dictionary/dictionary-doc.js';",
      "import {\n  B,\n  C,\n} from '../codec/index.js';",
      "export { D } from './d.js';",
      "import 'node:dgram';",
      "const lazy = () => import('../../errors.js');",
      "// import { E } from '../../http/app.js';",
      'const text = "import { F } from \'../../store/couch.js\'";',
    ].join('\n');
    expect(edgesOf('src/radius/client/x.ts', text).map((edge) => edge.to)).toEqual([
      'src/dictionary/dictionary-doc.ts',
      'src/radius/codec/index.ts',
      'src/radius/client/d.ts',
      'node:dgram',
      'src/errors.ts',
    ]);
  });

  it('refuses radius reaching out, lower layers reaching up, and radius cycles', () => {
    const [outward] = edgesOf('src/radius/codec/packet.ts', "import type { DictionaryDoc } from '../../dictionary/dictionary-doc.js';");
    expect(violation(outward!)).toMatch(/src\/radius imports src\/dictionary\/dictionary-doc.ts, outside itself/);
    const [errors] = edgesOf('src/radius/codec/packet.ts', "import { AppError } from '../../errors.js';");
    expect(violation(errors!)).toMatch(/outside itself/);
    const [npm] = edgesOf('src/radius/client/transport.ts', "import pino from 'pino';");
    expect(violation(npm!)).toMatch(/package pino/);
    const [up] = edgesOf('src/store/couch.ts', "import { createApp } from '../http/app.js';");
    expect(violation(up!)).toMatch(/store imports http/);
    const [domainUp] = edgesOf('src/aaa/aaa-service.ts', "import type { Services } from '../http/services.js';");
    expect(violation(domainUp!)).toMatch(/domain imports http/);
    const [down] = edgesOf('src/http/routes/accounts.ts', "import { AccountService } from '../../accounts/account-service.js';");
    expect(violation(down!)).toBeUndefined();
    const [toRadius] = edgesOf('src/aaa/coa.ts', "import { RadiusClient } from '../radius/client/index.js';");
    expect(violation(toRadius!)).toBeUndefined();
    expect(layerOf('src/service.ts')).toBe('root');
    expect(layerOf('src/errors.ts')).toBe('shared');
    expect(layerOf('src/schema/validator.ts')).toBe('shared');
    expect(layerOf('src/a-new-module/thing.ts')).toBe('domain');
    const loop = [
      ...edgesOf('src/radius/a.ts', "import type { B } from './b.js';"),
      ...edgesOf('src/radius/b.ts', "import type { A } from './a.js';"),
    ];
    expect(cycles(loop)).toEqual([['src/radius/a.ts', 'src/radius/b.ts', 'src/radius/a.ts']]);
  });
});
