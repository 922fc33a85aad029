// Minimal declarations for the untyped packages behind the embedded store.
declare module 'express-pouchdb' {
  import type { RequestHandler } from 'express';
  function expressPouchDB(pouch: unknown, options?: { mode?: string }): RequestHandler;
  export default expressPouchDB;
}

declare module 'pouchdb-node' {
  interface PouchConstructor {
    defaults(options: { prefix?: string }): PouchConstructor;
    plugin(plugin: object): PouchConstructor;
  }
  const PouchDB: PouchConstructor;
  export default PouchDB;
}

declare module 'pouchdb-abstract-mapreduce' {
  interface AbstractMapReduce {
    query: (this: unknown, fun: unknown, opts: unknown, callback: unknown) => unknown;
    viewCleanup: (this: unknown, callback: unknown) => unknown;
  }
  function createAbstractMapReduce(
    localDocName: string,
    mapper: (mapFun: unknown, emit: (key: unknown, value: unknown) => void) => (doc: unknown) => unknown,
    reducer: (reduceFun: unknown) => (keys: unknown, values: unknown[], rereduce?: boolean) => unknown,
    ddocValidator: (ddoc: { _id: string; views?: Record<string, { map?: unknown }> }, viewName: string) => void,
  ): AbstractMapReduce;
  export default createAbstractMapReduce;
}
