/**
 * The embedded store in its own process, so a benchmark's "service CPU" is the service's alone
 * (a deployment's CouchDB runs elsewhere too). argv[2] is its data directory; it answers
 * `{ url }` over IPC once listening and stops when the parent disconnects.
 */
import { startEmbeddedCouch } from '../../src/store/embedded.js';

const store = await startEmbeddedCouch({ dataDir: process.argv[2] ?? '', host: '127.0.0.1', port: 0 });
process.on('disconnect', () => void store.close().then(() => process.exit(0)));
process.send?.({ url: store.url, pid: process.pid });
