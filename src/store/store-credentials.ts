import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The one user the embedded store lets in: the service itself, and whoever may read `DATA_DIR`. */
export interface StoreCredentials {
  user: string;
  password: string;
  /** Where they are kept (mode 0600); safe to log, unlike its content. */
  file: string;
}

export const STORE_CREDENTIALS_FILE = 'store-credentials';
const STORE_USER = 'circlemaker';
const LINE = /^([A-Za-z0-9._-]+):([A-Za-z0-9._~-]{16,})$/;

/**
 * Reads `DATA_DIR/store-credentials` (`user:password`, one line, so that
 * `COUCHDB_URL=http://$(cat data/store-credentials)@127.0.0.1:15984` shares the store), creating
 * it with a fresh random password at first start. Created exclusively, so two processes starting on
 * one data directory agree on one password.
 */
export async function loadOrCreateStoreCredentials(dataDir: string): Promise<StoreCredentials> {
  const file = path.join(dataDir, STORE_CREDENTIALS_FILE);
  const password = crypto.randomBytes(24).toString('hex');
  try {
    await fs.writeFile(file, `${STORE_USER}:${password}\n`, { mode: 0o600, flag: 'wx' });
    return { user: STORE_USER, password, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A copy or restore may have loosened the mode; the password is only as private as this file.
  await fs.chmod(file, 0o600);
  const match = LINE.exec((await fs.readFile(file, 'utf8')).trim());
  if (!match?.[1] || !match[2]) {
    throw new Error(
      `${file}: expected one line "user:password" (letters, digits, . _ - ~; a password of 16 or more); delete it to get new credentials`,
    );
  }
  return { user: match[1], password: match[2], file };
}

const digest = (text: string): Buffer => crypto.createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether an `Authorization` header carries exactly these credentials. Both sides are hashed to a
 * fixed length first, so the comparison takes the same time whatever was sent.
 */
export function presentsCredentials(authorization: string | undefined, expected: StoreCredentials): boolean {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  const presented = basic?.[1] ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
  const same = crypto.timingSafeEqual(digest(presented), digest(`${expected.user}:${expected.password}`));
  return same && presented !== '';
}
