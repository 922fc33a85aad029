import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import type { Store } from '../store/couch.js';
import type { AccountDoc } from './account-doc.js';
import { generateApiKey, hashApiKey, newAccountId } from './api-key.js';

const MASTER_MARKER = 'master_account';
export const MASTER_KEY_FILE = 'master-api-key';

/**
 * Makes sure the master (superduper admin) account exists, idempotently and safely when several
 * replicas start together: a marker document with a fixed id elects the master's id, so only one
 * master is ever created.
 *
 * With `masterApiKey` the master's key is set to it; without one a new master gets a random key,
 * written to `DATA_DIR/master-api-key` with mode 0600. The key itself is never logged.
 */
export async function ensureMasterAccount(
  store: Store,
  options: { masterApiKey: string | undefined; dataDir: string; logger: Logger; now?: () => number },
): Promise<string> {
  const now = options.now ?? Date.now;
  for (;;) {
    const marker = await store.system.get(MASTER_MARKER);
    if (!marker) {
      try {
        await store.system.put({ _id: MASTER_MARKER, pvt_account_id: newAccountId() });
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
      }
      continue;
    }
    const masterId = String(marker.pvt_account_id);
    const existing = await store.accounts.get(masterId);
    if (existing) {
      if (options.masterApiKey && existing.pvt_api_key_hash !== hashApiKey(options.masterApiKey)) {
        // A new key is a rotation: tokens issued under the old one end.
        await store.accounts.put({
          ...existing,
          pvt_api_key_hash: hashApiKey(options.masterApiKey),
          pvt_key_generation: (existing.pvt_key_generation ?? 0) + 1,
          pvt_modified: now(),
        });
        options.logger.info({ account_id: masterId }, 'master account API key set from AAA_MASTER_API_KEY');
      }
      return masterId;
    }
    const apiKey = options.masterApiKey ?? generateApiKey();
    const master: AccountDoc = {
      _id: masterId,
      name: 'master',
      enabled: true,
      pvt_type: 'account',
      pvt_tree: [],
      pvt_api_key_hash: hashApiKey(apiKey),
      pvt_superduper_admin: true,
      pvt_key_generation: 0,
      pvt_disable_generation: 0,
      pvt_created: now(),
      pvt_modified: now(),
    };
    try {
      await store.accounts.put(master);
    } catch (error) {
      if ((error as { status?: number }).status === 409) continue;
      throw error;
    }
    if (options.masterApiKey) {
      options.logger.info({ account_id: masterId }, 'master account created with AAA_MASTER_API_KEY');
    } else {
      const file = path.join(options.dataDir, MASTER_KEY_FILE);
      await fs.mkdir(options.dataDir, { recursive: true });
      await fs.writeFile(file, `${apiKey}\n`, { mode: 0o600 });
      await fs.chmod(file, 0o600);
      options.logger.info({ account_id: masterId, file }, 'master account created; its API key is in the file named here');
    }
    return masterId;
  }
}
