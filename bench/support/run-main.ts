/**
 * Runs a benchmark's main: exit 0 when it finishes, 1 when it throws. If a leftover handle keeps
 * the process alive after shutdown, it says so and exits rather than hang.
 */
export function runBenchmark(main: () => Promise<void>): void {
  const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  main().then(
    () => {
      setTimeout(() => {
        progress('a handle kept the process alive after shutdown; exiting');
        process.exit(0);
      }, 5_000).unref();
    },
    (error: unknown) => {
      process.stderr.write(`[bench] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 5_000).unref();
    },
  );
}
