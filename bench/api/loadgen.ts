import autocannon from 'autocannon';

/** One autocannon run: a GET against `url` with fixed headers. */
export interface LoadJob {
  title: string;
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
  /**
   * `/metrics` scraped every `intervalMs` for the run's length, as Prometheus would: from this
   * process, never the service's. A failed scrape is reported in `scrapeFailure`.
   */
  scrape?: { url: string; headers: Record<string, string>; intervalMs: number };
}

/** What the benchmark keeps of an autocannon result (plain data, so it crosses IPC as JSON). */
export interface LoadSummary {
  title: string;
  url: string;
  connections: number;
  /** Seconds, as measured by autocannon. */
  duration: number;
  /** Mean of autocannon's one-second samples: its "Avg Req/Sec". */
  requestsPerSecond: number;
  completed: number;
  sent: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  bytesPerSecond: number;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * CPU the load generator's process spent during the run, in cores (0..n); null when it runs in
   * the service's process, where the figure would include the service.
   */
  loadgenCpu: number | null;
  /** Scrapes of `/metrics` during the run (see LoadJob.scrape), the size of the last, a failure if any. */
  scrapes: number;
  scrapeBytes: number;
  scrapeFailure?: string;
}

/** Scrapes until stopped; a failed or non-200 scrape is recorded, not thrown. */
function startScraping(scrape: NonNullable<LoadJob['scrape']>) {
  const counts: { scrapes: number; bytes: number; failure?: string } = { scrapes: 0, bytes: 0 };
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = fetch(scrape.url, { headers: scrape.headers }).then(
      async (response) => {
        const text = await response.text();
        if (response.status !== 200) counts.failure = `GET /metrics: ${response.status}`;
        counts.scrapes += 1;
        counts.bytes = Buffer.byteLength(text);
      },
      (error: unknown) => {
        counts.failure = `GET /metrics: ${String(error)}`;
      },
    );
  }, scrape.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      return counts;
    },
  };
}

export async function runLoad(job: LoadJob): Promise<LoadSummary> {
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const scraping = job.scrape ? startScraping(job.scrape) : undefined;
  const result = await autocannon({
    title: job.title,
    url: job.url,
    method: 'GET',
    headers: job.headers,
    connections: job.connections,
    duration: job.duration,
    pipelining: 1,
  });
  const scraped = (await scraping?.stop()) ?? { scrapes: 0, bytes: 0 };
  const cpu = process.cpuUsage(cpuBefore);
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = Number(count);
  return {
    title: job.title,
    url: job.url,
    connections: job.connections,
    duration: result.duration,
    requestsPerSecond: result.requests.average,
    completed: result.requests.total,
    sent: result.requests.sent,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      mean: result.latency.mean,
      max: result.latency.max,
    },
    bytesPerSecond: result.throughput.average,
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    loadgenCpu: (cpu.user + cpu.system) / wallMicros,
    scrapes: scraped.scrapes,
    scrapeBytes: scraped.bytes,
    ...(scraped.failure ? { scrapeFailure: scraped.failure } : {}),
  };
}
