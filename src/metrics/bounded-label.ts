/**
 * A label fed by values the service does not choose (servers named in tenants' documents, database
 * names): the first `max` distinct values are kept as they are, any later new one becomes `other`,
 * so no input can grow the number of series without bound.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();

  constructor(
    readonly max: number,
    readonly overflow = 'other',
  ) {}

  value(raw: string): string {
    if (this.#seen.has(raw)) return raw;
    if (this.#seen.size >= this.max) return this.overflow;
    this.#seen.add(raw);
    return raw;
  }
}
