/**
 * What ends a command early. Each becomes one line on stderr and an exit status; none prints a
 * stack, since an operator can act on the sentence and not on the trace.
 */

/** The command line itself is wrong: exit 2, as usage errors conventionally are. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage applies, for the "see --help" hint. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** The service said no, or something the command needs is missing: exit 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/** Plain words for the socket errors an operator meets when the service is not where they think. */
const CAUSES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: is the service running there?',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection closed before an answer',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  EPROTO: 'the server does not speak this protocol (https to an http port?)',
};

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  if ('code' in error && typeof error.code === 'string') return error.code;
  // `localhost` may resolve to ::1 and 127.0.0.1: Node then reports an AggregateError of both.
  if (error instanceof AggregateError) return error.errors.map(codeOf).find((code) => code !== undefined);
  return undefined;
}

/**
 * `fetch` rejects with "fetch failed" and hides the reason in `cause`: this digs it out so the
 * message names the URL and the reason in one line.
 */
export function connectionFailure(url: string, error: unknown): CliFailure {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new CliFailure(`cannot reach the service at ${url}: no answer in time`);
  }
  const code = codeOf(cause);
  const reason = code
    ? `${code} (${CAUSES[code] ?? (cause instanceof Error ? cause.message : 'socket error')})`
    : cause instanceof Error
      ? cause.message
      : String(cause);
  return new CliFailure(`cannot reach the service at ${url}: ${reason}; set --url or CIRCLEMAKER_URL`);
}
