/**
 * The NAS side of bench/sessions/ingest.ts, in its own process as FreeRADIUS would be, so the
 * senders do not share an event loop with the store or the service. Reads its task from
 * BENCH_SENDERS_TASK (JSON) and prints one JSON line: acknowledged, failed (by reason), seconds.
 *
 *   sustained: `senders` loops for `seconds`, each running its own sessions: Start, then nine
 *              Interim-Updates with growing counters, then the next session.
 *   burst:     `count` Starts of distinct sessions, `senders` in flight.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

interface Task {
  mode: 'sustained' | 'burst';
  endpoint: string;
  authorization: string;
  senders: number;
  seconds?: number;
  count?: number;
  prefix: string;
}

const task = JSON.parse(process.env.BENCH_SENDERS_TASK ?? '{}') as Task;
const agent = new http.Agent({ keepAlive: true, maxSockets: task.senders });
const url = new URL(task.endpoint);

const body = (attributes: Record<string, string | number>) =>
  JSON.stringify(Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { type: 'string', value: [String(value)] }])));

/** One Accounting-Request; resolves to undefined when acknowledged (204), else the reason. */
function send(attributes: Record<string, string | number>): Promise<string | undefined> {
  const payload = body(attributes);
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { Authorization: task.authorization, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          if (response.statusCode === 204) return resolve(undefined);
          const code = /"error"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? /"code"\s*:\s*"?([^",}]+)/.exec(text)?.[1] ?? '';
          resolve(`${response.statusCode} ${code}`.trim());
        });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end(payload);
  });
}

async function main(): Promise<void> {
  let acknowledged = 0;
  const failures: Record<string, number> = {};
  const note = (reason: string | undefined) => {
    if (reason === undefined) acknowledged += 1;
    else failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const started = performance.now();
  if (task.mode === 'sustained') {
    const stopAt = started + (task.seconds ?? 10) * 1000;
    await Promise.all(
      Array.from({ length: task.senders }, async (_, sender) => {
        for (let round = 0; performance.now() < stopAt; round += 1) {
          const step = round % 10;
          note(
            await send({
              'Acct-Status-Type': step === 0 ? 'Start' : 'Interim-Update',
              'Acct-Session-Id': `${task.prefix}${sender}-${Math.floor(round / 10)}`,
              'User-Name': `user${sender}`,
              'NAS-IP-Address': '192.0.2.1',
              'Acct-Session-Time': step * 60,
              'Acct-Output-Octets': step * 1000,
            }),
          );
        }
      }),
    );
  } else {
    let next = 0;
    const count = task.count ?? 0;
    await Promise.all(
      Array.from({ length: task.senders }, async () => {
        while (next < count) {
          const index = next++;
          note(
            await send({
              'Acct-Status-Type': 'Start',
              'Acct-Session-Id': `${task.prefix}${index}`,
              'User-Name': `burst${index}`,
              'NAS-IP-Address': '192.0.2.2',
            }),
          );
        }
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    `${JSON.stringify({ acknowledged, failed: Object.values(failures).reduce((a, b) => a + b, 0), failures, seconds, cpu_seconds: cpuSeconds })}\n`,
  );
  agent.destroy();
}

void main();
