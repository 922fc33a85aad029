import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface SourceInfo {
  gitCommit: string | null;
  uncommittedSrcChanges: string[] | null;
  /** Free text from BENCH_SOURCE_LABEL. */
  label: string | null;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Which code was measured: the commit and any uncommitted change under src/ (read-only git calls; nulls outside a checkout). */
export function sourceInfo(): SourceInfo {
  const label = process.env.BENCH_SOURCE_LABEL || null;
  const git = (...args: string[]) =>
    execFileSync('git', ['--no-optional-locks', '-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return {
      gitCommit: git('rev-parse', 'HEAD').trim(),
      uncommittedSrcChanges: git('status', '--porcelain', '--', 'src')
        .split('\n')
        .filter((line) => line !== ''),
      label,
    };
  } catch {
    return { gitCommit: null, uncommittedSrcChanges: null, label };
  }
}
