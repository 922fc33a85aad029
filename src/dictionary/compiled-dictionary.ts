/** @deprecated moved to src/radius/dictionary */
// A thin re-export so code not yet moved over keeps compiling; import from
// `src/radius/dictionary/index.js` (and `./invalid-dictionary.js` for the service's error) instead.
export {
  type CompiledDictionary,
  compileDictionaries,
  type ConflictKind,
  type ConflictSide,
  type DictionaryConflict,
  type DictionaryCounts,
  type DictionaryOrigin,
  type DictionarySource,
  type EncryptMethod,
  type ResolvedAttribute,
  type ResolvedVendor,
  type UnattachedValue,
  type VendorFormat,
} from '../radius/dictionary/index.js';
/**
 * @deprecated The error `DictionaryResolver` (and `DictionaryCompiler`) throw for a list that
 * cannot compile, as it always was here: a 400 AppError. Use `InvalidDictionaryError` from
 * `./invalid-dictionary.js`; `compileDictionaries` itself throws the RADIUS package's
 * `DictionaryCompileError` from `src/radius/dictionary`.
 */
export { InvalidDictionaryError as DictionaryCompileError } from './invalid-dictionary.js';
