/**
 * The load generator for bench/aaa/authn.ts and bench/aaa/tenant-authn.ts as a child process (so
 * autocannon's CPU does not share the service's event loop, as in bench/api): receives a PostJob
 * over IPC, runs it with autocannon, answers with a PostSummary. Every response body is checked
 * (`verifyBody`): an answer that is not `{"status":"success","data":{"result":"accept",…}}`
 * counts as a mismatch.
 */
import autocannon from 'autocannon';

export interface PostJob {
  title: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /**
   * URL paths to spread the requests over, instead of `url`'s own (its host and port still
   * apply): the k-th request sent, over all connections together, goes to `paths[k % length]`.
   */
  paths?: string[];
  /** Stop after this many requests, all connections together, instead of after `duration`. */
  amount?: number;
}

export interface PostSummary {
  title: string;
  connections: number;
  duration: number;
  /** Mean of autocannon's one-second samples ("Avg Req/Sec"). */
  requestsPerSecond: number;
  completed: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Bodies that were not a success envelope with result accept. */
  mismatches: number;
  /** The first mismatching body, for the error message. */
  firstMismatch: string | null;
  /** CPU of this process during the run, in cores. */
  loadgenCpu: number;
}

export type ChildRequest = { id: number; job: PostJob };
export type ChildReply = { id: number; summary: PostSummary } | { id: number; error: string };

function accepted(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { status?: unknown; data?: { result?: unknown } };
    return parsed.status === 'success' && parsed.data?.result === 'accept';
  } catch {
    return false;
  }
}

/**
 * A `setupRequest` that sends each request to the next path, round-robin over every connection.
 * Each connection deep-copies its options but keeps this function (and so the one counter); it
 * builds its first request when it is created and each later one just before sending it, so
 * every call here is one request sent: with `amount` a multiple of the paths, each gets as many.
 */
function spread(paths: readonly string[]): (request: { path: string }) => { path: string } {
  let next = 0;
  return (request) => ({ ...request, path: paths[next++ % paths.length] ?? request.path });
}

export async function runPost(job: PostJob): Promise<PostSummary> {
  let firstMismatch: string | null = null;
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  // `body` and `verifyBody` are autocannon options that bench/types/autocannon.d.ts does not
  // declare; a variable (not a fresh literal) passes them without touching the shared declarations.
  const options = {
    title: job.title,
    url: job.url,
    method: 'POST',
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.duration,
    pipelining: 1,
    verifyBody: (body: string) => {
      const ok = accepted(body);
      if (!ok && firstMismatch === null) firstMismatch = body.slice(0, 2000);
      return ok;
    },
    ...(job.amount === undefined ? {} : { amount: job.amount }),
    ...(job.paths === undefined ? {} : { requests: [{ setupRequest: spread(job.paths) }] }),
  };
  const result = await autocannon(options);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = Number(count);
  return {
    title: job.title,
    connections: job.connections,
    duration: result.duration,
    requestsPerSecond: result.requests.average,
    completed: result.requests.total,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.mean,
      max: result.latency.max,
    },
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    firstMismatch,
    loadgenCpu: (cpu.user + cpu.system) / wallMicros,
  };
}

if (process.send !== undefined) {
  process.on('message', (message: ChildRequest) => {
    runPost(message.job).then(
      (summary) => process.send?.({ id: message.id, summary } satisfies ChildReply),
      (error: unknown) =>
        process.send?.({
          id: message.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies ChildReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
