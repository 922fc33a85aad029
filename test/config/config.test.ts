import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('refuses a DB_PREFIX CouchDB would refuse: it must start with a letter', () => {
    for (const prefix of ['1_', '_x', 'A_', 'a-b', 'a/b']) {
      expect(() => loadConfig({ DB_PREFIX: prefix }), prefix).toThrow(ConfigError);
      expect(() => loadConfig({ DB_PREFIX: prefix }), prefix).toThrow(/DB_PREFIX/);
    }
    for (const prefix of ['', 'a', 'prod_', 'x1_2']) expect(loadConfig({ DB_PREFIX: prefix }).dbPrefix).toBe(prefix);
  });
});
