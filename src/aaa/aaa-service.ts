import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import { type FieldErrors, ValidationError, alreadyExists, notFound } from '../errors.js';
import { InvalidDictionaryError } from '../dictionary/invalid-dictionary.js';
import { type CompiledDictionary, compileDictionaries } from '../radius/dictionary/index.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import { dictionaryId } from '../dictionary/dictionary-doc.js';
import type { DictionaryService } from '../dictionary/dictionary-service.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import type { DocumentStore } from '../store/database.js';
import { updateDocument } from '../store/update.js';
import { internalPart, publicPart } from '../store/visibility.js';
import { type AaaConfig, type AaaDoc, type AaaServer, SYSTEM_AAA_ID, SYSTEM_OWNER } from './aaa-doc.js';
import {
  type DictionaryWarning,
  type TemplateDictionaries,
  dictionaryWarnings,
  unknownAttributes,
  unknownTemplateAttributes,
} from './check-attributes.js';
import type { DestinationGuard } from './destination-guard.js';
import { validateAaaConfig } from './validate-aaa.js';

/** Where an AAA document lives and what its dictionaries may be: an account's, or the system's. */
export interface AaaScope {
  db: DocumentStore<AaaDoc>;
  id: string;
  ownerId: string;
  /** Owners whose dictionaries the document may name, nearest first (the system's always count). */
  dictionaryOwners: string[];
  isSystem: boolean;
}

export interface SavedAaa {
  doc: AaaDoc;
  /** Conflicting dictionary definitions the document's servers will live with. */
  warnings: DictionaryWarning[];
}

const EMPTY_DICTIONARY = compileDictionaries([]);
/** A NAS's `dicts` when the document does not say (schemas/aaa.json). */
const DEFAULT_NAS_DICTS = ['dictionary'];

/** The AAA documents: one per account and one for the system, validated on every write. */
export class AaaService {
  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly dictionaries: DictionaryService,
    private readonly resolver: DictionaryResolver,
    private readonly destinations: DestinationGuard,
    private readonly now: () => number = Date.now,
  ) {}

  accountScope(account: AccountDoc): AaaScope {
    return {
      db: this.store.aaa,
      id: account._id,
      ownerId: account._id,
      dictionaryOwners: ownerChain(account),
      isSystem: false,
    };
  }

  systemScope(): AaaScope {
    return {
      db: this.store.system as unknown as DocumentStore<AaaDoc>,
      id: SYSTEM_AAA_ID,
      ownerId: SYSTEM_OWNER,
      dictionaryOwners: [],
      isSystem: true,
    };
  }

  async get(scope: AaaScope): Promise<AaaDoc> {
    const doc = await scope.db.get(scope.id);
    if (doc?.pvt_type !== 'aaa') throw notFound(scope.id);
    return doc;
  }

  /** PUT: creates the document; one that exists already is a conflict. */
  async create(scope: AaaScope, input: unknown): Promise<SavedAaa> {
    const { config, warnings } = await this.validate(scope, input);
    const now = this.now();
    const doc: AaaDoc = {
      ...config,
      _id: scope.id,
      pvt_type: 'aaa',
      pvt_account_id: scope.ownerId,
      pvt_created: now,
      pvt_modified: now,
    };
    try {
      doc._rev = await scope.db.put(doc);
    } catch (error) {
      if ((error as { status?: number }).status === 409) {
        throw alreadyExists('an AAA document exists already; use POST to replace it or PATCH to change it', { cause: scope.id });
      }
      throw error;
    }
    return { doc, warnings };
  }

  /** POST: the public fields become exactly `input`. */
  async replace(scope: AaaScope, input: unknown, expectedRev: string | undefined): Promise<SavedAaa> {
    const { config, warnings } = await this.validate(scope, input);
    const doc = await updateDocument(scope.db, scope.id, expectedRev, (current) => this.withConfig(current, config));
    return { doc, warnings };
  }

  /** PATCH: top-level keys are merged over the stored fields, then the whole is validated. */
  async patch(scope: AaaScope, input: Record<string, unknown>, expectedRev: string | undefined): Promise<SavedAaa> {
    let warnings: DictionaryWarning[] = [];
    const doc = await updateDocument(scope.db, scope.id, expectedRev, async (current) => {
      const validated = await this.validate(scope, { ...publicPart(current), ...input });
      warnings = validated.warnings;
      return this.withConfig(current, validated.config);
    });
    return { doc, warnings };
  }

  /** The conflicts within each enabled server's dictionary list, for a stored document. */
  async warningsFor(scope: AaaScope, config: AaaConfig): Promise<DictionaryWarning[]> {
    return dictionaryWarnings(config, await this.compiledByServer(scope, config));
  }

  /**
   * Accounts whose AAA documents name `dictName` and resolve it to `owner`'s dictionary: a nearer
   * dictionary of the same name would shadow it.
   */
  async accountsResolvingTo(dictName: string, owner: string): Promise<string[]> {
    const rows = await this.store.aaa.view<string, string>('aaa', 'by_dictionary', { key: dictName });
    const candidates = await this.store.accounts.getMany(rows.map((row) => row.value));
    const users: string[] = [];
    for (const account of candidates.values()) {
      const chain = ownerChain(account);
      const position = chain.indexOf(owner);
      if (position < 0) continue;
      const nearer = chain.slice(0, position).map((nearerOwner) => dictionaryId(nearerOwner, dictName));
      const shadowing = await this.store.dictionaries.getMany(nearer);
      if (shadowing.size === 0) users.push(account._id);
    }
    return users;
  }

  /** Schema and semantic checks, then the translated attributes against each server's dictionaries. */
  private async validate(scope: AaaScope, input: unknown): Promise<{ config: AaaConfig; warnings: DictionaryWarning[] }> {
    const visible = await this.dictionaries.visibleNames(scope.dictionaryOwners);
    const destinations = await this.destinations.policyFor(scope.ownerId);
    const config = validateAaaConfig(input, { isSystem: scope.isSystem, visibleDictionaries: visible, destinations }, this.schemas);
    const compiledFor = await this.compiledByServer(scope, config);
    const unknown = { ...unknownAttributes(config, compiledFor), ...(await this.unknownTemplateAttributes(scope, config)) };
    if (Object.keys(unknown).length > 0) throw new ValidationError(unknown);
    return { config, warnings: dictionaryWarnings(config, compiledFor) };
  }

  /** Each server's compiled dictionary list; a list that cannot compile is a 400 on that server's dicts. */
  private async compiledByServer(scope: AaaScope, config: AaaConfig): Promise<(server: AaaServer) => CompiledDictionary> {
    const compiled = new Map<string, CompiledDictionary>();
    for (const [index, server] of config.servers.entries()) {
      try {
        compiled.set(server.name, (await this.resolver.compile(server.dicts, scope.dictionaryOwners)).compiled);
      } catch (error) {
        if (!(error instanceof InvalidDictionaryError)) throw error;
        throw ValidationError.single(`servers.${index}.dicts`, 'invalid_dictionary', error.message);
      }
    }
    return (server) => compiled.get(server.name) ?? EMPTY_DICTIONARY;
  }

  /**
   * CoA template attributes against the NAS dictionary lists (each must compile: a 400 on that
   * NAS's `dicts` otherwise), or against the default list when the document has no NAS.
   */
  private async unknownTemplateAttributes(scope: AaaScope, config: AaaConfig): Promise<FieldErrors> {
    const nas = config.nas ?? [];
    const lists: TemplateDictionaries[] = [];
    for (const [index, device] of nas.entries()) {
      try {
        const { compiled } = await this.resolver.compile(device.dicts, scope.dictionaryOwners);
        lists.push({ label: `NAS ${device.name} (${device.dicts.join(', ')})`, compiled });
      } catch (error) {
        if (!(error instanceof InvalidDictionaryError)) throw error;
        throw ValidationError.single(`nas.${index}.dicts`, 'invalid_dictionary', error.message);
      }
    }
    const templates = config.coa_templates ?? [];
    if (templates.length === 0) return {};
    if (nas.length === 0) {
      const { compiled } = await this.resolver.compile(DEFAULT_NAS_DICTS, scope.dictionaryOwners);
      lists.push({ label: `no NAS, default dictionaries (${DEFAULT_NAS_DICTS.join(', ')})`, compiled });
    }
    return unknownTemplateAttributes(templates, lists);
  }

  private withConfig(current: AaaDoc, config: AaaConfig): AaaDoc {
    return { ...internalPart(current), ...config, pvt_modified: this.now() } as AaaDoc;
  }
}
