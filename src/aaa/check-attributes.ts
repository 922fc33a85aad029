import type { FieldErrors } from '../errors.js';
import type { CompiledDictionary, DictionaryConflict } from '../dictionary/compiled-dictionary.js';
import { type AaaConfig, type AaaServer, OPERATIONS, TRANSLATION_OF } from './aaa-doc.js';
import { serversFor } from './resolve-effective.js';

export interface DictionaryWarning {
  server: string;
  kind: DictionaryConflict['kind'];
  message: string;
  winner: DictionaryConflict['winner'];
  shadowed: DictionaryConflict['shadowed'];
}

/**
 * Every translated attribute must exist in the dictionaries of each server that will carry it:
 * the enabled servers named by the translation's operation. A typo is caught when the document is
 * saved, not when the first request fails.
 */
export function unknownAttributes(config: AaaConfig, compiledFor: (server: AaaServer) => CompiledDictionary): FieldErrors {
  const errors: FieldErrors = {};
  for (const operation of OPERATIONS) {
    const servers = serversFor(config, operation);
    const list = TRANSLATION_OF[operation];
    config[list].forEach((translation, index) => {
      const lacking = servers.filter((server) => !compiledFor(server).attribute(translation.attribute));
      if (lacking.length === 0) return;
      const where = lacking.map((server) => `${server.name} (${server.dicts.join(', ')})`).join('; ');
      errors[`${list}.${index}.attribute`] = {
        unknown_attribute: {
          message: `The attribute "${translation.attribute}" is not in the dictionaries of server ${where}.`,
          servers: lacking.map((server) => server.name),
        },
      };
    });
  }
  return errors;
}

/** Conflicting definitions within each enabled server's dictionary list: kept, but worth knowing. */
export function dictionaryWarnings(config: AaaConfig, compiledFor: (server: AaaServer) => CompiledDictionary): DictionaryWarning[] {
  return config.servers
    .filter((server) => server.enabled && server.aaa_engine === 'radius')
    .flatMap((server) =>
      compiledFor(server).conflicts.map((conflict) => ({
        server: server.name,
        kind: conflict.kind,
        message: conflict.message,
        winner: conflict.winner,
        shadowed: conflict.shadowed,
      })),
    );
}
