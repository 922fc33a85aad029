/**
 * The suite's shared embedded store, run as a process of its own (see global-setup.ts): prints
 * `{"url": …}` on one line once it listens, and stops on SIGTERM.
 *
 * Not in vitest's own process, because LevelDB opens its files without close-on-exec: every test
 * worker forked from a process holding the store would inherit hundreds of its descriptors and
 * hand them on to the FreeRADIUS and radclient it starts, whose select() loop refuses descriptors
 * past 1,024 ("FD is larger than FD_SETSIZE").
 */
import { startEmbeddedCouch } from '../../src/store/embedded.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: store-process.ts <data dir>');
const store = await startEmbeddedCouch({ dataDir, host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: store.url })}\n`);
const stop = () => {
  void store.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The suite ended without stopping us (it crashed): do not outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
