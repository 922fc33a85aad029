/**
 * The responder of the client benchmark, in its own process so that it does not share the
 * client's event loop: starts on 127.0.0.1 (ephemeral port), answers every Access-Request with an
 * Access-Accept, reports its port over IPC, and exits when the parent disconnects.
 */
import fs from 'node:fs';
import { compileDictionaries, type DictionarySource } from '../../src/radius/dictionary/index.js';
import type { DictionaryFields } from '../../src/dictionary/dictionary-doc.js';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusResponder } from '../../src/radius/responder/index.js';

export const BENCH_SECRET = 'bench-secret';

export function seedDictionary(): ReturnType<typeof compileDictionaries> {
  const fields = JSON.parse(
    fs.readFileSync(new URL('../../seed-dictionaries/dictionary.json', import.meta.url), 'utf8'),
  ) as DictionaryFields;
  const source: DictionarySource = { id: `system~${fields.name}`, rev: '1-seed', name: fields.name, owner: 'system', value: fields.value };
  return compileDictionaries([source]);
}

async function main(): Promise<void> {
  const responder = await RadiusResponder.start({
    dictionary: seedDictionary(),
    clients: { '127.0.0.1': BENCH_SECRET },
    handlers: {
      [PacketCode.AccessRequest]: () => ({
        code: PacketCode.AccessAccept,
        attributes: { 'Reply-Message': 'welcome', 'Session-Timeout': 3600 },
      }),
    },
  });
  process.on('message', (message: { stats?: boolean }) => {
    if (message.stats === true) process.send?.({ stats: responder.stats });
  });
  process.on('disconnect', () => {
    void responder.close().then(() => process.exit(0));
  });
  process.send?.({ port: responder.port });
}

// Imported by the parent for its constants: only run as the child.
if (process.send !== undefined) void main();
