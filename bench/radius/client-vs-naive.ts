/**
 * The library client beside a naive Node client and a raw dgram loop, against one instant C
 * responder (bench/radius/instant-responder.c, compiled with gcc when the benchmark starts), 256
 * requests in flight, in one process, rounds interleaved so load from elsewhere on the machine
 * falls on all three alike.
 *
 *   npx tsx bench/radius/client-vs-naive.ts     # ROUNDS (7), ROUND_MS (2000), WARMUP_MS (1000), IN_FLIGHT (256)
 *
 * ONLY=library (or naive, raw) runs one contender alone, for a profile:
 *   ONLY=library ROUNDS=1 ROUND_MS=5000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/radius/client-vs-naive.ts
 *
 * - library: `RadiusClient.send`, Access-Request (User-Name, User-Password, NAS-Port; the client
 *   adds the Message-Authenticator first), every reply verified (Response Authenticator,
 *   Message-Authenticator required once `auto` has seen the server sign, source address) and decoded.
 * - naive: the `radius` package's `encode` (with `add_message_authenticator`) and `decode`, one
 *   dgram socket, the same attributes, a promise per request, the reply matched on its identifier
 *   only. It verifies nothing: no Response Authenticator, no Message-Authenticator, no source.
 * - raw: one dgram socket sending 256 prebuilt datagrams and resending one as soon as the reply
 *   to it arrives (matched on the identifier byte): what Node's UDP costs, the physical limit.
 *
 * Reported per client: replies/s and the client process's CPU (user + system) per reply, from
 * `process.cpuUsage()`. The responder's CPU (from /proc) is shown so a saturated responder would be seen.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { encodeRequest, PacketCode } from '../../src/radius/codec/index.js';
import { RadiusClient, type RadiusTarget } from '../../src/radius/client/index.js';
import { median } from '../support/median.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';
import { BENCH_SECRET, seedDictionary } from './responder-child.js';
import { wholeNumber } from '../support/env.js';

const ROUNDS = wholeNumber('ROUNDS', 7);
const ROUND_MS = wholeNumber('ROUND_MS', 2000);
const WARMUP_MS = wholeNumber('WARMUP_MS', 1000);
const IN_FLIGHT = Math.min(256, wholeNumber('IN_FLIGHT', 256));
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// The responder.

interface Responder {
  readonly port: number;
  readonly pid: number;
  stop(): void;
}

async function startResponder(): Promise<Responder> {
  const source = fileURLToPath(new URL('./instant-responder.c', import.meta.url));
  const binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'radius-instant-')), 'instant-responder');
  execFileSync('gcc', ['-O2', '-Wall', '-Wno-deprecated-declarations', '-o', binary, source, '-lcrypto'], { stdio: 'inherit' });
  const child: ChildProcess = spawn(binary, [BENCH_SECRET], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString('utf8').trim());
  if (!Number.isInteger(port) || port < 1) throw new Error(`the responder printed ${JSON.stringify(line.toString('utf8'))}, not a port`);
  return {
    port,
    pid: child.pid!,
    stop: () => {
      // Closing its stdin is what ends it.
      child.stdin?.end();
      fs.rmSync(path.dirname(binary), { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The three clients. Each runs `IN_FLIGHT` loops for `ms` and counts the replies.

interface Contender {
  readonly name: string;
  run(ms: number): Promise<number>;
  close(): Promise<void>;
}

const attributesFor = (sequence: number) => ({
  'User-Name': `user-${sequence}`,
  'User-Password': 'password',
  'NAS-Port': sequence & 0xffff,
});

function libraryClient(port: number): Contender {
  const client = new RadiusClient({ bindAddress: '127.0.0.1' });
  const target: RadiusTarget = {
    address: '127.0.0.1',
    port,
    secret: BENCH_SECRET,
    dictionary: seedDictionary(),
    retries: 2,
    timeoutMs: 2000,
  };
  return {
    name: 'library RadiusClient',
    async run(ms) {
      const deadline = performance.now() + ms;
      let completed = 0;
      let sequence = 0;
      const loop = async () => {
        while (performance.now() < deadline) {
          sequence += 1;
          await client.send(target, { code: PacketCode.AccessRequest, attributes: attributesFor(sequence) });
          completed += 1;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
      if (!client.requiresMessageAuthenticator(target))
        throw new Error('the library client did not learn that the responder signs its replies');
      return completed;
    },
    close: () => client.close(),
  };
}

interface RadiusPackage {
  load_dictionaries(): void;
  encode(args: { code: string; identifier: number; secret: string; attributes: unknown[]; add_message_authenticator?: boolean }): Buffer;
  decode(args: { packet: Buffer; secret: string }): { code: string; identifier: number; attributes: Record<string, unknown> };
}

async function boundSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

async function naiveClient(port: number): Promise<Contender> {
  const radius = createRequire(import.meta.url)('radius') as RadiusPackage;
  radius.load_dictionaries();
  const socket = await boundSocket();
  const waiting: (((code: string) => void) | undefined)[] = new Array(256).fill(undefined);
  socket.on('message', (bytes) => {
    const reply = radius.decode({ packet: bytes, secret: BENCH_SECRET });
    const resolve = waiting[reply.identifier];
    waiting[reply.identifier] = undefined;
    resolve?.(reply.code);
  });
  return {
    name: 'naive (radius package + dgram)',
    async run(ms) {
      const deadline = performance.now() + ms;
      let completed = 0;
      let sequence = 0;
      // Loop i owns identifier i: the simplest correct allocation with 256 in flight on one socket.
      const loop = async (identifier: number) => {
        while (performance.now() < deadline) {
          sequence += 1;
          const attributes = attributesFor(sequence);
          const packet = radius.encode({
            code: 'Access-Request',
            identifier,
            secret: BENCH_SECRET,
            add_message_authenticator: true,
            attributes: [
              ['User-Name', attributes['User-Name']],
              ['User-Password', attributes['User-Password']],
              ['NAS-Port', attributes['NAS-Port']],
            ],
          });
          const code = await new Promise<string>((resolve) => {
            waiting[identifier] = resolve;
            socket.send(packet, port, '127.0.0.1');
          });
          if (code !== 'Access-Accept') throw new Error(`naive client got ${code}`);
          completed += 1;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, (_, index) => loop(index)));
      return completed;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function rawLoop(port: number): Promise<Contender> {
  const dictionary = seedDictionary();
  const prebuilt = Array.from(
    { length: 256 },
    (_, identifier) =>
      encodeRequest({ code: PacketCode.AccessRequest, identifier, secret: BENCH_SECRET, dictionary, attributes: attributesFor(identifier) })
        .bytes,
  );
  const socket = await boundSocket();
  let running = false;
  let completed = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  socket.on('message', (bytes) => {
    completed += 1;
    const identifier = bytes[1] as number;
    if (running) {
      socket.send(prebuilt[identifier]!, port, '127.0.0.1');
      return;
    }
    inFlight -= 1;
    if (inFlight === 0) drained?.();
  });
  return {
    name: 'raw dgram, prebuilt datagrams',
    async run(ms) {
      completed = 0;
      running = true;
      inFlight = IN_FLIGHT;
      const done = new Promise<void>((resolve) => (drained = resolve));
      for (let identifier = 0; identifier < IN_FLIGHT; identifier += 1) socket.send(prebuilt[identifier]!, port, '127.0.0.1');
      await new Promise((resolve) => setTimeout(resolve, ms));
      running = false;
      await done;
      return completed;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------
// Rounds.

interface Measurement {
  readonly perSecond: number;
  readonly cpuMicrosPerReply: number;
  readonly responderCores: number;
}

async function measure(contender: Contender, responderPid: number, ms: number): Promise<Measurement> {
  const responderBefore = await processCpuSeconds(responderPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const replies = await contender.run(ms);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const responderSeconds = (await processCpuSeconds(responderPid)) - responderBefore;
  return { perSecond: replies / seconds, cpuMicrosPerReply: (cpu.user + cpu.system) / replies, responderCores: responderSeconds / seconds };
}

async function main(): Promise<void> {
  const responder = await startResponder();
  const only = process.env.ONLY;
  const all = [libraryClient(responder.port), await naiveClient(responder.port), await rawLoop(responder.port)];
  const contenders = only === undefined || only === '' ? all : all.filter((contender) => contender.name.startsWith(only));
  if (contenders.length === 0) throw new Error(`ONLY=${only} names no contender`);
  const results = new Map<string, Measurement[]>(contenders.map((contender) => [contender.name, []]));
  const ratios: { rate: number; cpu: number }[] = [];
  try {
    for (const contender of contenders) await contender.run(WARMUP_MS);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate who goes first, so no contender always follows the same one.
      const order = contenders.map((_, index) => contenders[(index + round) % contenders.length]!);
      const measured = new Map<string, Measurement>();
      for (const contender of order) {
        const result = await measure(contender, responder.pid, ROUND_MS);
        measured.set(contender.name, result);
        results.get(contender.name)!.push(result);
      }
      const library = measured.get(all[0]!.name);
      const naive = measured.get(all[1]!.name);
      if (library === undefined || naive === undefined) continue;
      ratios.push({ rate: library.perSecond / naive.perSecond, cpu: naive.cpuMicrosPerReply / library.cpuMicrosPerReply });
      progress(`round ${round + 1}/${ROUNDS}: library/naive ${(library.perSecond / naive.perSecond).toFixed(2)}`);
    }
  } finally {
    await Promise.all(all.map((contender) => contender.close()));
    responder.stop();
  }

  const source = sourceInfo();
  // Only what this benchmark runs: other uncommitted work under src/ is not on its path.
  const radiusChanges = (source.uncommittedSrcChanges ?? []).map((line) => line.slice(3)).filter((file) => file.startsWith('src/radius/'));
  console.log(`Library client vs naive client vs raw dgram, one instant C responder, 127.0.0.1, ${IN_FLIGHT} in flight`);
  console.log(
    `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; ` +
      `${ROUNDS} interleaved rounds of ${ROUND_MS} ms, medians; commit ${source.gitCommit?.slice(0, 7) ?? '?'}` +
      `${radiusChanges.length > 0 ? ` + uncommitted ${radiusChanges.join(', ')}` : ''}`,
  );
  console.log('');
  console.log('| client | replies/s | client CPU µs/reply | responder CPU (cores) | replies/s per round |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const contender of contenders) {
    const rounds = results.get(contender.name)!;
    console.log(
      `| ${contender.name} | ${Math.round(median(rounds.map((r) => r.perSecond))).toLocaleString('en-US')} | ${median(rounds.map((r) => r.cpuMicrosPerReply)).toFixed(1)} | ` +
        `${median(rounds.map((r) => r.responderCores)).toFixed(2)} | ${rounds.map((r) => Math.round(r.perSecond)).join(', ')} |`,
    );
  }
  console.log('');
  console.log('| ratio (same round) | median | per round |');
  console.log('| --- | ---: | --- |');
  console.log(
    `| library / naive replies/s (goal ≥ 1.0) | ${median(ratios.map((r) => r.rate)).toFixed(2)} | ${ratios.map((r) => r.rate.toFixed(2)).join(' / ')} |`,
  );
  console.log(
    `| naive / library CPU per reply | ${median(ratios.map((r) => r.cpu)).toFixed(2)} | ${ratios.map((r) => r.cpu.toFixed(2)).join(' / ')} |`,
  );
}

runBenchmark(main);
