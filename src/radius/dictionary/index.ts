/**
 * The dictionary model of the RADIUS package: the JSON entry format, the FreeRADIUS type list
 * and flag rules, and the compiled ordered lookup the codec, client and responder use. It
 * depends on nothing outside `src/radius`; the service's FreeRADIUS text parser and its
 * tenant-scoped resolution build on it.
 */
export type { AttributeEntry, AttributeFlags, DictionaryEntry, ValueEntry, VendorEntry } from './entries.js';
export { FREERADIUS_TYPES, baseType } from './attribute-types.js';
export { flagProblem, type FlagName, type FlaggedAttribute } from './attribute-flags.js';
export type { VendorFormat } from './vendor-format.js';
export type {
  DictionaryCounts,
  DictionaryOrigin,
  DictionarySource,
  EncryptMethod,
  ResolvedAttribute,
  ResolvedVendor,
  UnattachedValue,
} from './model.js';
export type { ConflictKind, ConflictSide, DictionaryConflict } from './conflicts.js';
export { DictionaryCompileError, RadiusDictionaryError } from './errors.js';
export { compileDictionaries, compileDictionary } from './compile.js';
export type { CompiledDictionary } from './compiled-dictionary.js';
export { MergedDictionary } from './merged-dictionary.js';
export { ComposedDictionary, composeDictionaries, vendorContextKey, type DictionaryUnitCompiler } from './composed-dictionary.js';
export type { VendorContext } from './tables.js';
