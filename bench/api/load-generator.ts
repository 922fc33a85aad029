/**
 * autocannon GETs run in a child process (bench/api/loadgen-child.ts, so the load generator's CPU
 * does not share the service's event loop) or inline; one job at a time, over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildReply, ChildRequest } from './loadgen-child.js';
import { type LoadJob, type LoadSummary, runLoad } from './loadgen.js';

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadSummary>;
  close(): Promise<void>;
}

export function inlineGenerator(): LoadGenerator {
  return { run: async (job) => ({ ...(await runLoad(job)), loadgenCpu: null }), close: async () => {} };
}

export async function childGenerator(): Promise<LoadGenerator> {
  const script = fileURLToPath(new URL('./loadgen-child.ts', import.meta.url));
  // execArgv is inherited, so the child runs under tsx as this process does.
  const child: ChildProcess = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (s: LoadSummary) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`load generator exited early (${code})`));
    child.once('exit', onExit);
    child.once('message', () => {
      child.off('exit', onExit);
      resolve();
    });
  });
  child.on('message', (message: ChildReply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ('error' in message) waiter.reject(new Error(`load generator: ${message.error}`));
    else waiter.resolve(message.summary);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
    pending.clear();
  });
  return {
    run(job) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const request: ChildRequest = { id, job };
        child.send(request);
      });
    },
    close() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || !child.connected) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}
