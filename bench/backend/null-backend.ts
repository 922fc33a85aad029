/**
 * The ceiling for any rlm_rest backend on this machine: a bare `node:http` server that reads each
 * body and answers what the service answers for a known user (authorize: 200 with the same reply
 * and control attributes; post-auth and the rest: 204) without parsing, checking or storing
 * anything. FreeRADIUS + rlm_rest in front of it measures what the HTTP hop itself costs.
 *
 *   npx tsx bench/backend/null-backend.ts   (prints its port, serves until killed)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const AUTHORIZED = JSON.stringify({ 'reply:Idle-Timeout': 600, 'reply:Session-Timeout': 3600, 'control:Auth-Type': 'Accept' });

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.url?.includes('/authorize')) {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(AUTHORIZED) });
      response.end(AUTHORIZED);
    } else {
      response.writeHead(204);
      response.end();
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
