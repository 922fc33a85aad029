/**
 * The peer of bench/aaa/authn.ts: the library RadiusClient straight at the same FreeRADIUS, the
 * same PAP Access-Request, `inFlight` requests outstanding for `seconds`, in its own process (as
 * the service is not in the load generator's). Receives a DirectJob over IPC, answers with a
 * DirectSummary; exits when the parent disconnects.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { DictionaryFields } from '../../src/dictionary/dictionary-doc.js';
import { PacketCode } from '../../src/radius/codec/index.js';
import { RadiusClient, type RadiusTarget } from '../../src/radius/client/index.js';
import { compileDictionaries } from '../../src/radius/dictionary/index.js';

export interface DirectJob {
  port: number;
  secret: string;
  inFlight: number;
  seconds: number;
}

export interface DirectSummary {
  requestsPerSecond: number;
  accepted: number;
  other: number;
  failed: number;
  /** CPU of this process over the run, in cores. */
  cpuCores: number;
}

function seedDictionary() {
  const fields = JSON.parse(
    fs.readFileSync(new URL('../../seed-dictionaries/dictionary.json', import.meta.url), 'utf8'),
  ) as DictionaryFields;
  return compileDictionaries([{ id: `system~${fields.name}`, rev: '1-seed', name: fields.name, owner: 'system', value: fields.value }]);
}

const client = new RadiusClient({ bindAddress: '127.0.0.1' });
const dictionary = seedDictionary();

async function run(job: DirectJob): Promise<DirectSummary> {
  const target: RadiusTarget = { address: '127.0.0.1', port: job.port, secret: job.secret, dictionary, retries: 2, timeoutMs: 2000 };
  let accepted = 0;
  let other = 0;
  let failed = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const ends = started + job.seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < ends) {
      try {
        const { response } = await client.send(target, {
          code: PacketCode.AccessRequest,
          attributes: { 'User-Name': 'bob', 'User-Password': 'hello' },
        });
        if (response.code === PacketCode.AccessAccept) accepted += 1;
        else other += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: job.inFlight }, loop));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { requestsPerSecond: accepted / seconds, accepted, other, failed, cpuCores: (used.user + used.system) / 1e6 / seconds };
}

process.on('message', (message: { id: number; job: DirectJob }) => {
  run(message.job).then(
    (summary) => process.send?.({ id: message.id, summary }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on('disconnect', () => void client.close().then(() => process.exit(0)));
process.send?.({ ready: true });
