/**
 * Library client vs the project's responder on loopback, at 1, 32 and 256 requests in flight:
 * requests per second and latency. The responder runs in a child process (one core each on a
 * two-core machine). Each level runs `ROUNDS` times, interleaved with the others so load from
 * elsewhere on the machine falls on all alike; the table shows the median round.
 *
 *   npx tsx bench/radius/client.ts            # DURATION_MS=3000 ROUNDS=3 by default
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusClient, type RadiusTarget } from '../../src/radius/client/index.js';
import { BENCH_SECRET, seedDictionary } from './responder-child.js';

const LEVELS = [1, 32, 256] as const;
const DURATION_MS = Number(process.env.DURATION_MS ?? 3000);
const WARMUP_MS = Number(process.env.WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface RoundResult {
  inFlight: number;
  completed: number;
  failed: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuCores: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

/** `inFlight` loops, each sending its next request as soon as the last one settles, for `durationMs`. */
async function round(client: RadiusClient, target: RadiusTarget, inFlight: number, durationMs: number): Promise<RoundResult> {
  const latencies: number[] = [];
  let failed = 0;
  let sequence = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      sequence += 1;
      const sentAt = performance.now();
      try {
        await client.send(target, {
          code: PacketCode.AccessRequest,
          attributes: { 'User-Name': `user-${sequence}`, 'User-Password': 'password', 'NAS-Port': sequence & 0xffff },
        });
        latencies.push(performance.now() - sentAt);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    inFlight,
    completed: latencies.length,
    failed,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

function median(results: readonly RoundResult[]): RoundResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as RoundResult;
}

async function main(): Promise<void> {
  const script = fileURLToPath(new URL('./responder-child.ts', import.meta.url));
  // execArgv is inherited, so the child runs under tsx as this process does.
  const child: ChildProcess = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  const client = new RadiusClient({ bindAddress: '127.0.0.1' });
  const target: RadiusTarget = {
    address: '127.0.0.1',
    port: ready.port,
    secret: BENCH_SECRET,
    dictionary: seedDictionary(),
    retries: 2,
    timeoutMs: 2000,
  };
  try {
    for (const inFlight of LEVELS) await round(client, target, inFlight, WARMUP_MS);
    const results = new Map<number, RoundResult[]>(LEVELS.map((level) => [level, []]));
    for (let index = 0; index < ROUNDS; index += 1) {
      for (let offset = 0; offset < LEVELS.length; offset += 1) {
        const level = LEVELS[(index + offset) % LEVELS.length] as number;
        results.get(level)?.push(await round(client, target, level, DURATION_MS));
      }
    }
    const rows = LEVELS.map((level) => median(results.get(level) ?? []));
    console.log(`RADIUS library client vs responder (child process), 127.0.0.1, Access-Request → Access-Accept`);
    console.log(
      `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; ${ROUNDS} rounds of ${DURATION_MS} ms per level, median round shown`,
    );
    console.log('');
    console.log('| in flight | requests/s | p50 ms | p99 ms | failed | client CPU (cores) | all rounds (req/s) |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const row of rows) {
      const all = (results.get(row.inFlight) ?? []).map((result) => Math.round(result.requestsPerSecond)).join(', ');
      console.log(
        `| ${row.inFlight} | ${Math.round(row.requestsPerSecond).toLocaleString('en-US')} | ${row.p50.toFixed(3)} | ${row.p99.toFixed(3)} | ${row.failed} | ${row.cpuCores.toFixed(2)} | ${all} |`,
      );
    }
    const stats = client.stats;
    console.log('');
    console.log(
      `client stats: sent ${stats.sent}, retransmitted ${stats.retransmitted}, received ${stats.received}, dropped ${JSON.stringify(stats.dropped)}, sockets ${stats.sockets}`,
    );
  } finally {
    await client.close();
    child.disconnect();
  }
}

await main();
