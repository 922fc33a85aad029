/**
 * The `radius` npm package (1.1.4) as the benchmark's reference: it parses FreeRADIUS text itself
 * into global module state (see ../shared/DESIGN.md). Only what the benchmark calls is typed.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface RadiusModule {
  /** Reads one file and, recursively, what it `$INCLUDE`s; `seen` skips files already read. */
  load_dictionary(file: string, seen?: Record<string, boolean>): void;
  /** Drops the global tables (not the list of locations `load_dictionaries` would read). */
  unload_dictionaries(): void;
  attr_name_to_id(name: string, vendorId?: number): string | undefined;
}

// No types ship with the package; it is CommonJS.
const radius = createRequire(import.meta.url)('radius') as RadiusModule;

/**
 * Loads exactly `files` (and their includes) from scratch. `load_dictionary` rather than
 * `add_dictionary` + `load_dictionaries`: the latter also reads the package's own bundled
 * dictionaries and only once per process (it remembers LOADED), so it could not be timed
 * repeatedly or on the same set of files as our side.
 */
export function loadWithRadius(files: readonly string[]): void {
  radius.unload_dictionaries();
  const seen: Record<string, boolean> = {};
  for (const file of files) radius.load_dictionary(file, seen);
}

export function radiusAttributeId(name: string, vendorId?: number): string | undefined {
  return radius.attr_name_to_id(name, vendorId);
}

/** Files the package throws on when loading each one alone. */
export function filesRadiusRejects(files: readonly string[]): { file: string; error: string }[] {
  const rejected: { file: string; error: string }[] = [];
  for (const file of files) {
    try {
      loadWithRadius([file]);
    } catch (error) {
      rejected.push({ file: path.basename(file), error: error instanceof Error ? error.message : String(error) });
    }
  }
  radius.unload_dictionaries();
  return rejected;
}

/** The package's own ATTRIBUTE regex (lib/radius.js, `_load_dictionary`): decimal numbers only. */
const RADIUS_ATTRIBUTE = /^\s*(?:VENDORATTR\s+(\d+)|ATTRIBUTE)\s+(\S+)\s+(\d+)\s+(\S+)\s*(.+)?/;

/**
 * ATTRIBUTE lines the package skips without a word: hex (`0x9999`) and dotted (`241.26`, TLV
 * `1.2`) numbers do not match its regex. Counted with its own preprocessing of each line.
 */
export function attributeLinesRadiusSkips(files: readonly string[]): { total: number; skipped: number } {
  let total = 0;
  let skipped = 0;
  for (const file of files) {
    for (const raw of fs.readFileSync(file, 'ascii').split('\n')) {
      const line = raw.replace(/#.*/, '').replace(/\s+/g, ' ');
      if (!/^\s*ATTRIBUTE\s/.test(line)) continue;
      total += 1;
      if (!RADIUS_ATTRIBUTE.test(line)) skipped += 1;
    }
  }
  return { total, skipped };
}
