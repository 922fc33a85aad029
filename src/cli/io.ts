/**
 * Where a command writes and what it reads from its surroundings, passed in rather than taken
 * from `process` so the tests run commands in-process and read exactly what a shell would see.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
