import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import expressPouchDB from 'express-pouchdb';
import PouchDB from 'pouchdb-node';

export interface EmbeddedCouch {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts PouchDB Server (express-pouchdb over LevelDB files in `dataDir`) on loopback.
 * The service talks to it over HTTP with nano, exactly as it talks to CouchDB 3, so other
 * instances and CouchDB tools can share it.
 */
export async function startEmbeddedCouch(options: {
  dataDir: string;
  host: string;
  port: number;
}): Promise<EmbeddedCouch> {
  const storeDir = path.join(options.dataDir, 'couch');
  await fs.mkdir(storeDir, { recursive: true });
  const LocalPouch = PouchDB.defaults({ prefix: storeDir + path.sep });
  const app = express();
  app.disable('x-powered-by');
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
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
