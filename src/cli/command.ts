import type { ParseArgsConfig } from 'node:util';
import { ApiClient, type Login } from './api-client.js';
import { CliFailure, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies OptionSpecs;

export const GLOBAL_HELP = `global options:
  --url URL        the service (default: $CIRCLEMAKER_URL, else ${DEFAULT_URL})
  --api-key KEY    log in with this API key (default: $CIRCLEMAKER_API_KEY; the variable keeps it
                   out of the process list and shell history)
  --token TOKEN    or use this token as it is (default: $CIRCLEMAKER_TOKEN)
  --json           machine-readable output on stdout
  -h, --help       this help
`;

export interface Command {
  /** The words that select it: `dict import`. */
  name: string;
  summary: string;
  /** Everything after "usage: circlemaker <name> ", then the explanation and its own options. */
  help: string;
  options: OptionSpecs;
  /** Positional words after the command's name it takes at most (extra ones are a usage error). */
  maxPositionals: number;
  run(context: CommandContext): Promise<number>;
}

/** What a running command gets: its parsed arguments, its I/O, and the service on demand. */
export class CommandContext {
  private session: Promise<Session> | undefined;

  constructor(
    readonly command: Command,
    readonly values: OptionValues,
    readonly positionals: string[],
    readonly io: CliIo,
  ) {}

  get json(): boolean {
    return this.values.json === true;
  }

  get url(): string {
    return serviceUrl(this.string('url') ?? this.io.env.CIRCLEMAKER_URL ?? DEFAULT_URL);
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  requireString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw new UsageError(`--${name} is required`, this.command.name);
    return value;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** A whole number option within bounds, or the default. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`, this.command.name);
    }
    return Number(raw);
  }

  /** A client without credentials, for commands that bring their own (token). */
  anonymousClient(): ApiClient {
    return new ApiClient(this.url);
  }

  /** The API key from --api-key or the environment; never printed. */
  apiKey(): string | undefined {
    const key = this.string('api-key') ?? this.io.env.CIRCLEMAKER_API_KEY;
    return key === '' ? undefined : key;
  }

  /** A client with credentials: a token as given, else one from the API key (logged in once). */
  connect(): Promise<Session> {
    this.session ??= this.openSession();
    return this.session;
  }

  /** The account a command acts on: `--<option>`, else the one logged in with the API key. */
  async accountId(option = 'account'): Promise<string> {
    const given = this.string(option);
    if (given !== undefined && given !== '') return given;
    const { client, login } = await this.connect();
    const own = login?.accountId ?? accountOfToken(client.token);
    if (!own) throw new UsageError(`--${option} is required (the token does not name its account)`, this.command.name);
    return own;
  }

  private async openSession(): Promise<Session> {
    const token = this.string('token') ?? this.io.env.CIRCLEMAKER_TOKEN;
    if (token) return { client: new ApiClient(this.url, token) };
    const apiKey = this.apiKey();
    if (!apiKey) {
      throw new CliFailure('no credentials: pass --api-key or set CIRCLEMAKER_API_KEY (or --token / CIRCLEMAKER_TOKEN)');
    }
    const client = new ApiClient(this.url);
    return { client, login: await client.login(apiKey) };
  }

  out(text: string): void {
    this.io.stdout(text);
  }

  /** JSON on stdout, one document, for `--json`. */
  outJson(value: unknown): void {
    this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }
}

export interface Session {
  client: ApiClient;
  /** Present when the session logged in with an API key. */
  login?: Login;
}

/**
 * The account a token was issued to, read from its payload without checking the signature: only
 * to pick a default for --account; the service verifies the token on every request anyway.
 */
export function accountOfToken(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && 'account_id' in claims && typeof claims.account_id === 'string'
      ? claims.account_id
      : undefined;
  } catch {
    return undefined;
  }
}

/** The base URL without a trailing slash; anything but http(s) is a usage error. */
export function serviceUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--url / CIRCLEMAKER_URL: ${JSON.stringify(raw)} is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url / CIRCLEMAKER_URL must be http:// or https://, not ${parsed.protocol}`);
  }
  return raw.replace(/\/+$/, '');
}
