import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import expressPouchDB from 'express-pouchdb';
import PouchDB from 'pouchdb-node';
import { embeddedViews } from './embedded-views.js';
import { type StoreCredentials, loadOrCreateStoreCredentials, presentsCredentials } from './store-credentials.js';

export interface EmbeddedCouch {
  /** `http://user:password@host:port`: a secret, never to be logged (log `new URL(url).host`). */
  url: string;
  /** The file holding the credentials, which may be logged. */
  credentialsFile: string;
  close(): Promise<void>;
}

/**
 * Every request without the store's credentials is refused, whatever its path (`/`, `/_session`,
 * `/_all_dbs` included): PouchDB Server on its own would treat any local process as `_admin`.
 */
function requireCredentials(credentials: StoreCredentials): express.RequestHandler {
  return (req, res, next) => {
    if (presentsCredentials(req.get('authorization'), credentials)) {
      next();
      return;
    }
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="circlemaker store"')
      .json({
        error: 'unauthorized',
        reason: `credentials required; they are in ${path.basename(credentials.file)} in the service's data directory`,
      });
  };
}

/**
 * Starts PouchDB Server (express-pouchdb over LevelDB files in `dataDir`) on loopback, behind
 * HTTP Basic credentials kept in `dataDir` (see store-credentials.ts). The service talks to it over
 * HTTP with nano, exactly as it talks to CouchDB 3, so other instances and CouchDB tools given the
 * credentials can share it.
 */
export async function startEmbeddedCouch(options: { dataDir: string; host: string; port: number }): Promise<EmbeddedCouch> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const storeDir = path.join(options.dataDir, 'couch');
  // The database files are the store: other local users must not read them around the listener.
  await fs.mkdir(storeDir, { recursive: true, mode: 0o700 });
  await fs.chmod(storeDir, 0o700);
  const credentials = await loadOrCreateStoreCredentials(options.dataDir);
  const LocalPouch = PouchDB.plugin(embeddedViews).defaults({ prefix: storeDir + path.sep });
  const app = express();
  app.disable('x-powered-by');
  app.use(requireCredentials(credentials));
  app.use(expressPouchDB(LocalPouch, { mode: 'minimumForPouchDB' }));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const userinfo = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  return {
    url: `http://${userinfo}@${host}:${port}`,
    credentialsFile: credentials.file,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
