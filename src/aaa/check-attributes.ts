import type { FieldErrors } from '../errors.js';
import type { CompiledDictionary, DictionaryConflict } from '../radius/dictionary/index.js';
import { type AaaConfig, type AaaServer, type CoaTemplate, OPERATIONS, TRANSLATION_OF } from './aaa-doc.js';
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

/** A dictionary list a template is checked against: a NAS's, or the default list when there is no NAS. */
export interface TemplateDictionaries {
  /** What the message names: `NAS edge-1 (dictionary, dictionary_cisco)`. */
  label: string;
  compiled: CompiledDictionary;
}

/**
 * Every attribute of a CoA template must be defined by the dictionaries of at least one NAS of the
 * document (of the default list when it has none): a typo is caught at save time, while one
 * account may still keep Cisco templates beside a NAS of another vendor. A request checks the
 * names again against the NAS it is actually sent to.
 */
export function unknownTemplateAttributes(templates: readonly CoaTemplate[], lists: readonly TemplateDictionaries[]): FieldErrors {
  const errors: FieldErrors = {};
  templates.forEach((template, index) => {
    for (const name of Object.keys(template.attributes)) {
      if (lists.some((list) => list.compiled.attribute(name))) continue;
      errors[`coa_templates.${index}.attributes.${name}`] = {
        unknown_attribute: {
          message: `The attribute "${name}" is not in the dictionaries of any NAS of this document: ${lists.map((list) => list.label).join('; ')}.`,
          attribute: name,
        },
      };
    }
  });
  return errors;
}
