import vm from 'node:vm';
import createAbstractMapReduce from 'pouchdb-abstract-mapreduce';

/**
 * Map/reduce for the embedded store (PouchDB Server) with each view's functions compiled once per
 * index update rather than once per document. PouchDB's own node build evaluates the map function
 * of every document in a fresh `vm` context (`runInNewContext` of the function's source and the
 * document as JSON): ~1–2 ms a document, so a view over 10⁶ documents took the better part of an
 * hour to build. Here the function is compiled once into its own context (as sandboxed from the
 * service as before: no `require`, no `process`) and is given a copy of each document, so a map
 * function still cannot change what other views see. Same index names (`mrviews`), same results:
 * existing data directories keep their indexes.
 */

type Emit = (key: unknown, value: unknown) => void;
type MapFunction = (doc: unknown) => unknown;
type ReduceFunction = (keys: unknown, values: unknown[], rereduce?: boolean) => unknown;

class BuiltInReduceError extends Error {
  readonly status = 500;
  constructor(name: string) {
    super(`builtin ${name} function requires map values to be numbers or number arrays`);
    this.name = 'builtin_reduce_error';
  }
}

/** CouchDB's `_sum`: numbers, or lists of numbers summed element by element. */
function sum(values: readonly unknown[]): number | number[] {
  let result: number | number[] = 0;
  for (const value of values) {
    if (typeof value === 'number') {
      if (typeof result === 'number') result += value;
      else result[0] = (result[0] ?? 0) + value;
    } else if (Array.isArray(value)) {
      const list: number[] = typeof result === 'number' ? [result] : result;
      value.forEach((item: unknown, index) => {
        if (typeof item !== 'number') throw new BuiltInReduceError('_sum');
        list[index] = (list[index] ?? 0) + item;
      });
      result = list;
    } else {
      throw new BuiltInReduceError('_sum');
    }
  }
  return result;
}

function stats(values: readonly unknown[]): Record<string, number> {
  const numbers = values.map((value) => {
    if (typeof value !== 'number') throw new BuiltInReduceError('_stats');
    return value;
  });
  return {
    sum: numbers.reduce((total, value) => total + value, 0),
    min: Math.min(...numbers),
    max: Math.max(...numbers),
    count: numbers.length,
    sumsqr: numbers.reduce((total, value) => total + value * value, 0),
  };
}

const builtIns: Record<string, ReduceFunction> = {
  _sum: (_keys, values) => sum(values),
  _count: (_keys, values) => values.length,
  _stats: (_keys, values) => stats(values),
};

/** Compiles a design document function once, in a context of its own with CouchDB's helpers. */
function compile<T>(source: string, emit?: Emit): T {
  const context = vm.createContext({
    emit: emit ?? (() => undefined),
    sum,
    log: () => undefined,
    isArray: Array.isArray,
    toJSON: JSON.parse,
  });
  return vm.runInContext(`"use strict"; (${source.replace(/;\s*$/, '')})`, context) as T;
}

function mapper(mapFun: unknown, emit: Emit): MapFunction {
  // Temporary views may pass a function taking (doc, emit) (PouchDB #38).
  if (typeof mapFun === 'function' && mapFun.length === 2) {
    const map = mapFun as (doc: unknown, emit: Emit) => unknown;
    return (doc) => map(doc, emit);
  }
  const map = compile<MapFunction>(String(mapFun), emit);
  return (doc) => map(JSON.parse(JSON.stringify(doc)));
}

function reducer(reduceFun: unknown): ReduceFunction {
  const source = String(reduceFun);
  const name = /^_(sum|count|stats)/.exec(source)?.[0];
  if (name) return builtIns[name]!;
  if (source.startsWith('_')) throw new Error(`${source} is not a supported reduce function.`);
  return compile<ReduceFunction>(source);
}

function ddocValidator(ddoc: { _id: string; views?: Record<string, { map?: unknown }> }, viewName: string): void {
  const view = ddoc.views?.[viewName];
  if (typeof view?.map !== 'string') {
    throw Object.assign(
      new Error(`ddoc ${ddoc._id} has no string view named ${viewName}, instead found object of type: ${typeof view?.map}`),
      {
        status: 404,
        name: 'not_found',
      },
    );
  }
}

const abstract = createAbstractMapReduce('mrviews', mapper, reducer, ddocValidator);

/** A PouchDB plugin replacing `query` and `viewCleanup` (PouchDB.plugin(embeddedViews)). */
export const embeddedViews = {
  query(this: unknown, fun: unknown, opts: unknown, callback: unknown): unknown {
    return abstract.query.call(this, fun, opts, callback);
  },
  viewCleanup(this: unknown, callback: unknown): unknown {
    return abstract.viewCleanup.call(this, callback);
  },
};
