import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));

function check(cwd: string): string {
  return spawnSync(process.execPath, [script, '--check'], { cwd, encoding: 'utf8' }).stdout.trim();
}

/** Sets a file's times `secondsAgo` in the past, so the order of events does not hang on clock resolution. */
function age(file: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, when, when);
}

describe('npm start builds only when the build is stale', () => {
  it('stale without a build, fresh after one, stale again when a source changes or is added', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'build-if-stale-'));
    fs.mkdirSync(path.join(project, 'src'));
    for (const file of ['src/main.ts', 'tsconfig.json', 'package-lock.json']) {
      fs.writeFileSync(path.join(project, file), '{}');
      age(path.join(project, file), 60);
    }
    age(path.join(project, 'src'), 60);
    expect(check(project)).toBe('stale');

    fs.mkdirSync(path.join(project, 'dist'));
    fs.writeFileSync(path.join(project, 'dist/.build-stamp'), 'built');
    age(path.join(project, 'dist/.build-stamp'), 30);
    expect(check(project)).toBe('fresh');

    age(path.join(project, 'src/main.ts'), 10);
    expect(check(project)).toBe('stale');
    age(path.join(project, 'src/main.ts'), 60);
    expect(check(project)).toBe('fresh');

    fs.writeFileSync(path.join(project, 'src/new.ts'), '');
    expect(check(project)).toBe('stale');
    fs.rmSync(project, { recursive: true, force: true });
  });
});
