/**
 * What the HTTP authn benchmarks share (bench/aaa/authn.ts, bench/aaa/tenant-authn.ts): the
 * FreeRADIUS user and secret, the request body, API calls for the set-up, the load generator
 * child (bench/aaa/loadgen-child.ts), the check that every answer was a 200 accept, one timed run
 * with the CPU it cost, the embedded store in a child process (bench/aaa/store-child.ts), and what
 * the results record of the machine.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { expectStatus } from '../support/api-call.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { type SourceInfo, sourceInfo } from '../support/source-info.js';
import type { ChildReply, ChildRequest, PostJob, PostSummary } from './loadgen-child.js';

/** The FreeRADIUS client secret, and its one PAP user (its `users` file). */
export const SECRET = 'testing123';
export const USERS = `bob	Cleartext-Password := "hello"
	Reply-Message = "Hello, bob"
`;
/** The authn message every request sends: bob's right password, so every answer is an accept. */
export const BODY = { 'User-Name': 'bob', 'User-Password': 'hello' };

/** A token for the account whose API key this is. */
/** One authn by hand before the load: the set-up is right, or the benchmark stops here. */
export async function firstAccept(base: string, accountId: string, token: string): Promise<void> {
  const first = await expectStatus(200, base, 'POST', `/v2/accounts/${accountId}/aaa/authn`, token, BODY);
  if (first.data?.result !== 'accept') throw new Error(`the first authn of ${accountId} was not an accept: ${JSON.stringify(first)}`);
}

export interface Loadgen {
  run(job: PostJob): Promise<PostSummary>;
  close(): Promise<void>;
}

/** The load generator child (bench/aaa/loadgen-child.ts), ready for jobs. */
export async function startLoadgen(): Promise<Loadgen> {
  const script = fileURLToPath(new URL('./loadgen-child.ts', import.meta.url));
  // execArgv is inherited, so the child runs under tsx as this process does.
  const child: ChildProcess = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve: (summary: PostSummary) => void; reject: (error: Error) => void }>();
  child.on('message', (message: ChildReply) => {
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if ('summary' in message) entry.resolve(message.summary);
    else entry.reject(new Error(message.error));
  });
  return {
    run(job) {
      const id = (nextId += 1);
      return new Promise<PostSummary>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, job } satisfies ChildRequest);
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}

/** Every answer was a 200 whose body is an accept: or the benchmark fails loudly. */
export function check(summary: PostSummary): void {
  const other = Object.entries(summary.statusCodes).filter(([code]) => code !== '200');
  if (
    summary.completed === 0 ||
    other.length > 0 ||
    summary.non2xx > 0 ||
    summary.errors > 0 ||
    summary.timeouts > 0 ||
    summary.mismatches > 0
  ) {
    throw new Error(
      `${summary.title}: not every answer was 200 accept: completed ${summary.completed}, status codes ${JSON.stringify(summary.statusCodes)}, errors ${summary.errors}, timeouts ${summary.timeouts}, body mismatches ${summary.mismatches}${summary.firstMismatch ? `, first: ${summary.firstMismatch}` : ''}`,
    );
  }
}

/** One load generator run, checked, with the CPU this process (the service) and FreeRADIUS spent on it. */
export interface MeasuredRun {
  summary: PostSummary;
  /** Cores, over the run's wall time. */
  serviceCpuCores: number;
  freeradiusCpuCores: number;
}

/** Runs `job` and measures it (see MeasuredRun); throws unless every answer was a 200 accept. */
export async function measureRun(loadgen: Loadgen, job: PostJob, freeradiusPid: number): Promise<MeasuredRun> {
  const cpuBefore = process.cpuUsage();
  const radiusBefore = await processCpuSeconds(freeradiusPid);
  const wallBefore = process.hrtime.bigint();
  const summary = await loadgen.run(job);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const radiusCpu = (await processCpuSeconds(freeradiusPid)) - radiusBefore;
  check(summary);
  return { summary, serviceCpuCores: (cpu.user + cpu.system) / 1e6 / wallSeconds, freeradiusCpuCores: radiusCpu / wallSeconds };
}

/** What a results file records of the code, the machine and FreeRADIUS. */
export function runInfo(): SourceInfo & { node: string; cpus: number; cpuModel: string | undefined; freeradius: string } {
  return {
    ...sourceInfo(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    freeradius: (execFileSync('freeradius', ['-v']).toString().split('\n')[0] ?? '').trim(),
  };
}

/** The embedded store in a child process (bench/aaa/store-child.ts). */
export async function startStoreChild(dataDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./store-child.ts', import.meta.url)), [dataDir], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
  });
  return {
    url,
    async close() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}
