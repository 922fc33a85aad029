/**
 * The dictionary model's only exceptions. Deliberately not the service's `AppError`: the RADIUS
 * package knows nothing of HTTP; the service maps these at its edge (a 400 `invalid_dictionary`).
 */
export class RadiusDictionaryError extends Error {}

/**
 * A malformed entry: compiling cannot guess what it means (an unknown `enc` must not be sent in
 * clear), so the whole list is refused.
 */
export class DictionaryCompileError extends RadiusDictionaryError {
  constructor(
    readonly dictionaryId: string,
    readonly entryIndex: number,
    readonly reason: string,
  ) {
    const message = `Dictionary ${dictionaryId}, value.${entryIndex}: ${reason}`;
    super(message);
    this.name = 'DictionaryCompileError';
  }
}
