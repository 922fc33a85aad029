/**
 * Tenant regex isolation (issue 7, item 3): one tenant sends `POST …/aaa/authn` in a loop, several
 * at once, with the worst translation pattern the service still accepts at the longest value it
 * still lets that pattern read, while another tenant's `GET /v2/accounts/{ID}/aaa` latency is
 * measured; the same GET loop without the attack gives the baseline.
 *
 *   npx tsx bench/security/regex-stall.ts
 *
 * Environment: BENCH_SECONDS (10) per phase, BENCH_ATTACKERS (8 requests in flight),
 * BENCH_RESULTS (bench/security/regex-stall-results.json).
 *
 * Which pattern is worst is measured, not guessed: each candidate (all at or under
 * REGEX_PROGRAM_LIMIT) is matched once, on a fresh RE2 object (a cold DFA, as an attacker can
 * force with new inputs), against several inputs of the longest length `MatchBudget` allows it;
 * the slowest candidate and input are the attack. The service runs in this process (embedded
 * store in a temporary directory, LOG_LEVEL warn); the attacker and the measured client run in a
 * child process, so the client's own timers are not delayed by the service's event loop. The
 * attacker's translation casts its group to an integer, and the group is never one, which is
 * found out after the match, so every request is the whole match and then a 400, with no RADIUS wait in
 * between: the most event-loop time a request can buy. A control phase sends the same requests
 * through a pattern that does next to no work, to tell the regex's share from the request's.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import RE2 from 're2';
import { compileTenantRegex, MatchBudget, REGEX_PROGRAM_LIMIT, REGEX_VALUE_MAX_BYTES, REGEX_WORK_BUDGET } from '../../src/aaa/regex.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { type RunningService, startService } from '../../src/service.js';
import { runBenchmark } from '../support/run-main.js';
import { sourceInfo } from '../support/source-info.js';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const ATTACKERS = Number(process.env.BENCH_ATTACKERS || 8);
const RESULTS = path.resolve(process.env.BENCH_RESULTS || fileURLToPath(new URL('./regex-stall-results.json', import.meta.url)));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Shapes that maximise instructions per byte: repeated `.*`, big Unicode classes, many groups, nesting, `\C`. */
const CANDIDATES = [
  '((.*){10}){8}',
  '(.*){85}',
  '(?:.*){95}',
  '(\\pL*){2}',
  '([\\pL\\pN]*)',
  '([^a]*){85}',
  '(\\C*){95}',
  '(((((((((((((((((((((.*))))))))))))))))))))){2}',
  '(()()()()()()()()()()()()(.*)){2}',
  '((\\w*){10}){10}',
];

const INPUTS: Record<string, (length: number) => string> = {
  'a-run': (length) => 'a'.repeat(length),
  mixed: (length) => 'ab@c.d-'.repeat(Math.ceil(length / 7)).slice(0, length),
  printable: (length) => Array.from({ length }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join(''),
};

interface Candidate {
  pattern: string;
  programSize: number;
  longestValue: number;
  input: string;
  matchMs: number;
}

function measureCandidates(): Candidate[] {
  return CANDIDATES.flatMap((pattern) => {
    const compiled = compileTenantRegex(pattern);
    if (!compiled.ok) {
      log(`candidate ${pattern} is refused (${compiled.reason}); skipped`);
      return [];
    }
    const longestValue = new MatchBudget().longestValue(compiled);
    let worst: Candidate | undefined;
    for (const [input, make] of Object.entries(INPUTS)) {
      const value = make(longestValue);
      let matchMs = 0;
      for (let run = 0; run < 3; run += 1) {
        const fresh = new RE2(pattern);
        const started = process.hrtime.bigint();
        fresh.exec(value);
        matchMs = Math.max(matchMs, Number(process.hrtime.bigint() - started) / 1e6);
      }
      if (!worst || matchMs > worst.matchMs) worst = { pattern, programSize: compiled.programSize, longestValue, input, matchMs };
    }
    return worst ? [worst] : [];
  });
}

interface Envelope {
  status: number;
  data?: Record<string, unknown>;
  auth_token?: string;
}

async function call(base: string, method: string, urlPath: string, token: string | undefined, data?: unknown): Promise<Envelope> {
  const response = await fetch(base + urlPath, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Auth-Token': token } : {}) },
    body: data === undefined ? undefined : JSON.stringify({ data }),
  });
  return { ...((await response.json()) as Omit<Envelope, 'status'>), status: response.status };
}

async function tenant(base: string, masterToken: string, masterAccountId: string, name: string): Promise<{ id: string; token: string }> {
  const created = await call(base, 'PUT', `/v2/accounts/${masterAccountId}`, masterToken, { name });
  if (created.status !== 201) throw new Error(`account ${name}: ${JSON.stringify(created)}`);
  const login = await call(base, 'PUT', '/v2/api_auth', undefined, { api_key: created.data?.api_key });
  return { id: String(created.data?.id), token: String(login.auth_token) };
}

// ---------------------------------------------------------------------------------------------
// The child: the attacker's loop and the measured client

export interface ClientJob {
  base: string;
  seconds: number;
  attack?: { url: string; token: string; body: string; inFlight: number };
  victim: { url: string; token: string };
}

export interface ClientReport {
  latenciesMs: number[];
  victimErrors: number;
  attackRequests: number;
  attackStatuses: Record<string, number>;
}

async function runClient(job: ClientJob): Promise<ClientReport> {
  const deadline = Date.now() + job.seconds * 1000;
  const report: ClientReport = { latenciesMs: [], victimErrors: 0, attackRequests: 0, attackStatuses: {} };
  const attacker = async () => {
    if (!job.attack) return;
    const { url, token, body } = job.attack;
    while (Date.now() < deadline) {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token }, body });
      await response.arrayBuffer();
      report.attackRequests += 1;
      report.attackStatuses[response.status] = (report.attackStatuses[response.status] ?? 0) + 1;
    }
  };
  const victim = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      const response = await fetch(job.victim.url, { headers: { 'X-Auth-Token': job.victim.token } });
      await response.arrayBuffer();
      report.latenciesMs.push(performance.now() - started);
      if (response.status !== 200) report.victimErrors += 1;
      // Closed loop with a short pause: samples spread over the attack instead of queueing behind it.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  await Promise.all([victim(), ...Array.from({ length: job.attack?.inFlight ?? 0 }, attacker)]);
  return report;
}

function runInChild(job: ClientJob): Promise<ClientReport> {
  const child = fork(fileURLToPath(import.meta.url), ['--client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (report) => {
      resolve(report as ClientReport);
      child.kill();
    });
    child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
    child.send(job);
  });
}

// ---------------------------------------------------------------------------------------------

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function summary(report: ClientReport) {
  const { latenciesMs } = report;
  return {
    samples: latenciesMs.length,
    p50_ms: Number(percentile(latenciesMs, 50).toFixed(2)),
    p99_ms: Number(percentile(latenciesMs, 99).toFixed(2)),
    max_ms: Number(Math.max(...latenciesMs).toFixed(2)),
    victim_errors: report.victimErrors,
    attack_requests: report.attackRequests,
    attack_statuses: report.attackStatuses,
  };
}

async function main(): Promise<void> {
  log(`limits: program ${REGEX_PROGRAM_LIMIT}, value ${REGEX_VALUE_MAX_BYTES} bytes, work ${REGEX_WORK_BUDGET} per request`);
  const candidates = measureCandidates().sort((a, b) => b.matchMs - a.matchMs);
  for (const c of candidates) log(`${c.pattern}: size ${c.programSize}, ${c.longestValue} bytes (${c.input}) ${c.matchMs.toFixed(2)} ms`);
  const worst = candidates[0];
  if (!worst) throw new Error('no candidate pattern is accepted');

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'regex-stall-'));
  const masterApiKey = 'a'.repeat(64);
  let service: RunningService | undefined;
  try {
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      EMBEDDED_COUCHDB_PORT: '0',
      AAA_MASTER_API_KEY: masterApiKey,
      LOG_LEVEL: 'warn',
      AAA_TENANT_DESTINATIONS_ALLOW: '127.0.0.0/8',
    });
    service = await startService(config, createLogger(config.logLevel));
    const base = service.url;
    const master = await call(base, 'PUT', '/v2/api_auth', undefined, { api_key: masterApiKey });
    const masterToken = String(master.auth_token);
    const attacker = await tenant(base, masterToken, service.masterAccountId, 'regex attacker');
    const victim = await tenant(base, masterToken, service.masterAccountId, 'regex victim');
    const saved = await call(base, 'PUT', `/v2/accounts/${attacker.id}/aaa`, attacker.token, {
      aaa_mode: 'on',
      workers: 256,
      // Nothing is ever sent: the group is not an integer, which is found out after the match.
      servers: [{ name: 'unused', address: '127.0.0.1', port: 9, secret: 'unused', dicts: ['dictionary'], retries: 0, timeout: 100 }],
      authentication: ['unused'],
      authn_avp_translation: [
        {
          request_key: 'Calling',
          attribute: 'NAS-Port',
          request_value_regexp: worst.pattern,
          attr_value_regexp: '^(.*)$',
          cast: 'string_to_integer',
        },
        // The control: the same request path with next to no regex work.
        {
          request_key: 'Cheap',
          attribute: 'NAS-Port',
          request_value_regexp: '^()',
          attr_value_regexp: '^(.*)$',
          cast: 'string_to_integer',
        },
      ],
    });
    if (saved.status !== 201) throw new Error(`the attacker's document was refused: ${JSON.stringify(saved)}`);
    await call(base, 'PUT', `/v2/accounts/${victim.id}/aaa`, victim.token, { aaa_mode: 'off' });
    const value = INPUTS[worst.input]?.(worst.longestValue) ?? '';
    const attackUrl = `${base}/v2/accounts/${attacker.id}/aaa/authn`;
    const body = JSON.stringify({ data: { Calling: value } });
    const probe = await fetch(attackUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Auth-Token': attacker.token },
      body,
    });
    log(`attack probe: ${probe.status} ${(await probe.text()).slice(0, 200)}`);
    const tooLong = await call(base, 'POST', `/v2/accounts/${attacker.id}/aaa/authn`, attacker.token, { Calling: `${value}x` });
    if (tooLong.status !== 400) throw new Error(`one byte more was not refused: ${JSON.stringify(tooLong)}`);

    const victimJob = { url: `${base}/v2/accounts/${victim.id}/aaa`, token: victim.token };
    log(`baseline: ${SECONDS} s of GETs`);
    const baseline = summary(await runInChild({ base, seconds: SECONDS, victim: victimJob }));
    log(`attack: ${SECONDS} s of GETs with ${ATTACKERS} attack requests in flight`);
    const attacked = summary(
      await runInChild({
        base,
        seconds: SECONDS,
        victim: victimJob,
        attack: { url: attackUrl, token: attacker.token, body, inFlight: ATTACKERS },
      }),
    );
    log(`control: ${SECONDS} s of GETs with ${ATTACKERS} cheap authn requests in flight`);
    const control = summary(
      await runInChild({
        base,
        seconds: SECONDS,
        victim: victimJob,
        attack: { url: attackUrl, token: attacker.token, body: JSON.stringify({ data: { Cheap: 'x' } }), inFlight: ATTACKERS },
      }),
    );

    const results = {
      benchmark: 'bench/security/regex-stall.ts',
      date: new Date().toISOString(),
      ...sourceInfo(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      limits: { program: REGEX_PROGRAM_LIMIT, value_bytes: REGEX_VALUE_MAX_BYTES, work_per_request: REGEX_WORK_BUDGET },
      seconds: SECONDS,
      attackers_in_flight: ATTACKERS,
      candidates,
      attack: { pattern: worst.pattern, program_size: worst.programSize, value_bytes: worst.longestValue, input: worst.input },
      baseline,
      control,
      attacked,
    };
    await fs.writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(
      [
        `Attack: \`${worst.pattern}\` (estimated ${worst.programSize} instructions) on ${worst.longestValue} bytes, ${ATTACKERS} in flight`,
        '',
        '| victim GET | samples | p50 ms | p99 ms | max ms | attack requests |',
        '|---|---:|---:|---:|---:|---:|',
        `| without attack | ${baseline.samples} | ${baseline.p50_ms} | ${baseline.p99_ms} | ${baseline.max_ms} | 0 |`,
        `| with ${ATTACKERS} cheap authn in flight (\`^()\`, 1 byte) | ${control.samples} | ${control.p50_ms} | ${control.p99_ms} | ${control.max_ms} | ${control.attack_requests} |`,
        `| with attack | ${attacked.samples} | ${attacked.p50_ms} | ${attacked.p99_ms} | ${attacked.max_ms} | ${attacked.attack_requests} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await service?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--client')) {
  process.once('message', (job) => {
    void runClient(job as ClientJob).then((report) => process.send?.(report));
  });
} else {
  runBenchmark(main);
}
