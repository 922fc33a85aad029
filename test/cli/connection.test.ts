import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/** A loopback port nothing listens on: bound, noted, and closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function spawnCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the command line without a service', () => {
  it('names the URL and the cause of a connection failure in one line, exit 1, no stack', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(['accounts', 'list', '--url', url], { CIRCLEMAKER_API_KEY: 'k'.repeat(64) });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `circlemaker: cannot reach the service at ${url}: ECONNREFUSED (connection refused: is the service running there?); set --url or CIRCLEMAKER_URL\n`,
    );
  });

  it('takes the URL from CIRCLEMAKER_URL when --url is not given, and never echoes the API key', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const apiKey = 'a1'.repeat(32);
    const run = await runCli(['token'], { CIRCLEMAKER_URL: `${url}/`, CIRCLEMAKER_API_KEY: apiKey });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`at ${url}: ECONNREFUSED`);
    expect(run.stderr).not.toContain(apiKey);
  });

  it('refuses a URL that is not http(s) as a usage error (exit 2)', async () => {
    const run = await runCli(['accounts', 'list', '--url', 'ftp://example.test'], { CIRCLEMAKER_API_KEY: 'k' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must be http:// or https://');
  });

  it('says which credentials are missing instead of calling the service', async () => {
    const run = await runCli(['accounts', 'list', '--url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no credentials: pass --api-key or set CIRCLEMAKER_API_KEY');
  });

  it('has --help for the whole and for each command (stdout, exit 0); unknown commands and options exit 2', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const name of ['token', 'accounts create', 'accounts list', 'api-key rotate', 'dict import', 'dict export', 'aaa authn']) {
      expect(overview.stdout).toContain(`  ${name}  `);
      const own = await runCli([...name.split(' '), '--help']);
      expect(own.code, name).toBe(0);
      expect(own.stdout).toContain(`usage: circlemaker ${name}`);
      expect(own.stdout).toContain('CIRCLEMAKER_URL');
    }
    const unknown = await runCli(['dict', 'frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "dict frob" (dict import, dict export)');
    const badOption = await runCli(['accounts', 'list', '--parnet', 'x']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--parnet'");
    expect(badOption.stderr).toContain('usage: circlemaker accounts list');
  });

  it('runs as a process (the bin entry point): exit status and one line on stderr', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await spawnCli(['token', '--url', url], { CIRCLEMAKER_API_KEY: 'k'.repeat(64) });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `circlemaker: cannot reach the service at ${url}: ECONNREFUSED (connection refused: is the service running there?); set --url or CIRCLEMAKER_URL`,
    ]);
    const help = await spawnCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: circlemaker <command>');
  });
});
