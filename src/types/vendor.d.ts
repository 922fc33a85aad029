// Minimal declarations for the untyped packages behind the embedded store.
declare module 'express-pouchdb' {
  import type { RequestHandler } from 'express';
  function expressPouchDB(pouch: unknown, options?: { mode?: string }): RequestHandler;
  export default expressPouchDB;
}

declare module 'pouchdb-node' {
  interface PouchConstructor {
    defaults(options: { prefix?: string }): PouchConstructor;
  }
  const PouchDB: PouchConstructor;
  export default PouchDB;
}
