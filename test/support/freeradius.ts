import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface FreeRadiusServer {
  authPort: number;
  acctPort: number;
  secret: string;
  pid: number;
  /** What the server printed (its -X debug output). */
  output(): string;
  stop(): Promise<void>;
}

export function freeRadiusInstalled(): boolean {
  return spawnSync('freeradius', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/**
 * The smallest configuration that makes Debian's FreeRADIUS 3.2 a real peer: one client
 * (127.0.0.1), auth and acct listeners on loopback, the `files` module with the given users,
 * PAP, and accounting that answers. Everything lives in a temporary directory.
 */
export interface FreeRadiusOptions {
  secret?: string;
  /** Worker threads; benchmarks want several. */
  threads?: number;
  /** `-X` (single-threaded, logs every packet: for tests) or `-f -l stdout` (for benchmarks). */
  debug?: boolean;
  /**
   * Instead of `files` + PAP: extra module definitions and the sections of `server default`
   * (authorize, authenticate, post-auth, accounting), e.g. rlm_rest (see freeradius-rest.ts).
   */
  policy?: { modules: string; sections: string };
}

const FILES_SECTIONS = `	authorize {
		files
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
	}
	accounting {
		ok
	}`;

function radiusdConf(
  dir: string,
  authPort: number,
  acctPort: number,
  secret: string,
  threads: number,
  policy?: FreeRadiusOptions['policy'],
): string {
  return `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
logdir = ${dir}/log
raddbdir = ${dir}
radacctdir = ${dir}/radacct
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
run_dir = ${dir}/run
db_dir = ${dir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 1048576
hostname_lookups = no
log {
	destination = stdout
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}
thread pool {
	start_servers = ${threads}
	max_servers = ${Math.max(threads, 2)}
	min_spare_servers = 1
	max_spare_servers = ${Math.max(threads, 2)}
	max_requests_per_server = 0
	max_queue_size = 65536
}
client localhost {
	ipaddr = 127.0.0.1
	secret = ${secret}
}
modules {
	files {
		filename = \${raddbdir}/users
	}
	pap {
	}
	always ok {
		rcode = ok
	}
${policy?.modules ?? ''}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = ${authPort}
	}
	listen {
		type = acct
		ipaddr = 127.0.0.1
		port = ${acctPort}
	}
${policy?.sections ?? FILES_SECTIONS}
}
`;
}

/** Starts FreeRADIUS on loopback ports with `users` as its users file; waits until it is ready. */
export async function startFreeRadius(users: string, options: FreeRadiusOptions = {}): Promise<FreeRadiusServer> {
  const { secret = 'testing123', threads = 2, debug = true } = options;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freeradius-'));
  await fs.mkdir(path.join(dir, 'log'));
  await fs.mkdir(path.join(dir, 'run'));
  const authPort = await freeUdpPort();
  const acctPort = await freeUdpPort();
  await fs.writeFile(path.join(dir, 'radiusd.conf'), radiusdConf(dir, authPort, acctPort, secret, threads, options.policy));
  await fs.writeFile(path.join(dir, 'users'), users);
  await fs.copyFile('/etc/freeradius/3.0/dictionary', path.join(dir, 'dictionary'));
  const mode = debug ? ['-X'] : ['-f', '-l', 'stdout'];
  const child: ChildProcess = spawn('freeradius', [...mode, '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`FreeRADIUS did not start:\n${output}`)), 20_000);
    const ready = () => {
      if (output.includes('Ready to process requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', ready);
    child.stderr?.on('data', ready);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`FreeRADIUS exited with ${code}:\n${output}`));
    });
  });
  return {
    authPort,
    acctPort,
    secret,
    pid: child.pid ?? 0,
    output: () => output,
    stop: async () => {
      child.removeAllListeners('exit');
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
