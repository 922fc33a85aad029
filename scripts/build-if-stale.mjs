#!/usr/bin/env node
/**
 * `npm start` runs this before `node dist/main.js`: it builds only when something the build reads
 * is newer than the last build, so a restart does not pay for a compile. `--check` only reports
 * (exit 0 fresh, 1 stale). Run from the project root.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const STAMP = path.join('dist', '.build-stamp');
// src covers the console's sources (src/console, bundled by `npm run build` into dist/console).
const INPUTS = ['src', 'tsconfig.json', 'package-lock.json'];
const CONSOLE_SOURCES = path.join('src', 'console');
const CONSOLE_BUNDLE = path.join('dist', 'console', 'main.js');

/** Newest modification time under `entry` (a file or a directory), 0 when it does not exist. */
function newest(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A directory's own mtime changes when a file is added, removed or renamed in it.
  let latest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, child)));
  return latest;
}

function stale() {
  let built;
  try {
    built = fs.statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  // A build from before the console existed has a fresh stamp but no bundle: build it too.
  if (fs.existsSync(CONSOLE_SOURCES) && !fs.existsSync(CONSOLE_BUNDLE)) return true;
  return INPUTS.some((input) => newest(input) > built);
}

if (process.argv.includes('--check')) {
  const isStale = stale();
  console.log(isStale ? 'stale' : 'fresh');
  process.exit(isStale ? 1 : 0);
}
if (!stale()) process.exit(0);
const tsc = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
