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

  it('DICTIONARY_CACHE_MB bounds the compiled dictionaries: 256 MiB by default, 8 to 65536, a clear error naming it otherwise', () => {
    expect(loadConfig({}).dictionaryCacheBytes).toBe(256 * 1024 * 1024);
    expect(loadConfig({ DICTIONARY_CACHE_MB: '1024' }).dictionaryCacheBytes).toBe(1024 * 1024 * 1024);
    expect(() => loadConfig({ DICTIONARY_CACHE_MB: '4' })).toThrow(/DICTIONARY_CACHE_MB: must be between 8 and 65536/);
    expect(() => loadConfig({ DICTIONARY_CACHE_MB: '99999999' })).toThrow(/DICTIONARY_CACHE_MB: must be between 8 and 65536/);
    expect(() => loadConfig({ DICTIONARY_CACHE_MB: '1e3' })).toThrow(/DICTIONARY_CACHE_MB: expected a whole number/);
  });

  it('EFFECTIVE_CACHE_MB bounds the memoised effective configurations: 16 MiB by default, 1 to 4096', () => {
    expect(loadConfig({}).effectiveCacheBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ EFFECTIVE_CACHE_MB: '64' }).effectiveCacheBytes).toBe(64 * 1024 * 1024);
    expect(() => loadConfig({ EFFECTIVE_CACHE_MB: '0' })).toThrow(/EFFECTIVE_CACHE_MB: must be between 1 and 4096/);
    expect(() => loadConfig({ EFFECTIVE_CACHE_MB: 'lots' })).toThrow(/EFFECTIVE_CACHE_MB: expected a whole number/);
  });
});
