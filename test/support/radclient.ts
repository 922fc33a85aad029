/** radclient (freeradius-utils) as the NAS: one request to a FreeRADIUS under test, and its answer. */
import { spawn } from 'node:child_process';
import type { FreeRadiusServer } from './freeradius.js';

export interface RadiusAnswer {
  code: 'Access-Accept' | 'Access-Reject' | 'Accounting-Response' | 'none';
  /** Attribute lines of the reply, as radclient prints them: `Session-Timeout = 3600`. */
  attributes: string[];
  output: string;
}

/** One request through radclient (`-x` prints the reply's attributes). */
export function radclient(server: FreeRadiusServer, kind: 'auth' | 'acct', attributes: string): Promise<RadiusAnswer> {
  return new Promise((resolve, reject) => {
    const port = kind === 'auth' ? server.authPort : server.acctPort;
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '5', `127.0.0.1:${port}`, kind, server.secret], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const received = /Received (Access-Accept|Access-Reject|Accounting-Response)[^\n]*\n((?:\t[^\n]*\n?)*)/.exec(output);
      resolve({
        code: (received?.[1] as RadiusAnswer['code']) ?? 'none',
        attributes: (received?.[2] ?? '')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== ''),
        output,
      });
    });
    child.stdin.end(`${attributes}\n`);
  });
}
