/**
 * The load generator as a child process: receives LoadJobs over IPC, runs them one at a time with
 * autocannon, answers with LoadSummaries. Runs as its own process so that autocannon's CPU does
 * not share the service's event loop (see BENCHMARKS.md).
 */
import { type LoadJob, type LoadSummary, runLoad } from './loadgen.js';

export type ChildRequest = { id: number; job: LoadJob };
export type ChildReply = { id: number; summary: LoadSummary } | { id: number; error: string };

function reply(message: ChildReply): void {
  process.send?.(message);
}

process.on('message', (message: ChildRequest) => {
  runLoad(message.job).then(
    (summary) => reply({ id: message.id, summary }),
    (error: unknown) => reply({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

// The parent closing the channel is the signal to go.
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
