/** The few fields of an entry that are text to be understood: `enc`, `oid`. */
import type { EncryptMethod, ResolvedAttribute } from './model.js';

/** Kazoo writes `no`; FreeRADIUS's flag is `encrypt=N`. Anything else is refused rather than sent in clear. */
export function parseEncrypt(enc: string | undefined): EncryptMethod | undefined {
  switch (enc) {
    case undefined:
    case 'no':
    case 'encrypt=0':
      return 0;
    case 'encrypt=1':
      return 1;
    case 'encrypt=2':
      return 2;
    case 'encrypt=3':
      return 3;
    default:
      return undefined;
  }
}

const OID_PATTERN = /^\d+(\.\d+)*$/;

/**
 * Frozen one-number paths, shared by every attribute and every compiled list: most attributes
 * have one, and the same few hundred numbers recur across vendors, so sharing them saves an
 * allocation per attribute (which is most of what compiling costs: garbage collection).
 */
const SHARED_PATHS = 256;
const singlePaths: readonly (readonly number[])[] = Array.from({ length: SHARED_PATHS }, (_, id) => Object.freeze([id]));

export function singlePath(id: number): readonly number[] {
  return singlePaths[id] ?? Object.freeze([id]);
}

/** `id` alone, or the dotted `oid` whose last component must be `id`. */
export function parsePath(id: number, oid: string | undefined): readonly number[] | undefined {
  if (oid === undefined) return singlePath(id);
  if (!OID_PATTERN.test(oid)) return undefined;
  const path = oid.split('.').map(Number);
  if (path[path.length - 1] !== id) return undefined;
  return Object.freeze(path);
}

/** The full RADIUS number, for messages: `1`, `241.26`, `26.9.1`, `Extended-Vendor-Specific-5.11344.1`. */
export function oidText(attribute: ResolvedAttribute): string {
  const path = attribute.path.join('.');
  if (attribute.evs !== undefined) return `${attribute.evs}.${attribute.vendorId}.${path}`;
  return attribute.vendorId === 0 ? path : `26.${attribute.vendorId}.${path}`;
}
