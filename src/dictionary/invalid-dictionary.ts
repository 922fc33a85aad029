import { AppError } from '../errors.js';
import type { DictionaryCompileError } from '../radius/dictionary/index.js';

/**
 * The service's face of the RADIUS package's `DictionaryCompileError`: a dictionary list that
 * cannot compile is bad input (a 400 `invalid_dictionary`, like a FreeRADIUS parse error), so
 * the error becomes an AppError here, where the service meets the package.
 */
export class InvalidDictionaryError extends AppError {
  constructor(
    readonly dictionaryId: string,
    readonly entryIndex: number,
    readonly reason: string,
  ) {
    const message = `Dictionary ${dictionaryId}, value.${entryIndex}: ${reason}`;
    super('invalid_dictionary', message, { dictionary: dictionaryId, entry: `value.${entryIndex}`, reason, message });
    this.name = 'InvalidDictionaryError';
  }

  static from(error: DictionaryCompileError): InvalidDictionaryError {
    return new InvalidDictionaryError(error.dictionaryId, error.entryIndex, error.reason);
  }
}
