/**
 * AAA operations over an account's effective configuration: authentication and authorization
 * (Access-Request), accounting (Accounting-Request).
 *
 * For one request: resolve the chain of AAA documents; `off` answers 409 `aaa_disabled`; a
 * `channel` matching the answering document's block rules answers `bypassed` (authorization) or
 * `blocked` (accounting) without sending anything; no configuration or no servers answers 422
 * `no_aaa_servers`. Otherwise the servers are tried in the order of the document's `servers`
 * array, each with its own retries and timeout, on one of the configuration's workers. A reject
 * is an answer. When every server fails and the answering document is `inherit`, the parent's
 * configuration (the next link of the chain above the answering account) is tried the same way;
 * when nothing is left, 504 `radius_unreachable` lists every attempt (403 `destination_refused`
 * when every attempt was refused by the destination policy: see ./destination-guard.ts).
 *
 * Dead servers (RFC 5997 style, see ../radius/server-health.ts): a server whose live request fails
 * at the transport level (timeout, broken socket) is marked dead; later requests skip it (attempt
 * outcome `skipped_dead`, nothing sent) unless every server of the list is dead, in which case
 * they are all tried as usual, so a total outage is still retried by live traffic. A background
 * Status-Server loop (every `probeIntervalMs`, config `AAA_PROBE_INTERVAL_MS`, default 5000) revives a
 * dead server when it answers; any answer to a live request revives it too. The loop stops with
 * `close()`, or by itself once the RADIUS client is closed.
 *
 * Budget and fairness: every request runs under a `RequestBudget` (./request-deadline.ts): its
 * deadline, the caller going away or the service stopping abort the queue wait and the sends, and
 * the request answers 504 `deadline_exceeded` (or 503 `shutting_down`) with the attempts made so
 * far. The configuration's workers are shared out per requesting account (./worker-pool.ts), so
 * one child flooding its parent's configuration gets the 503s, not its siblings.
 */
import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { CompiledDictionary } from '../radius/dictionary/index.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import { AppError, ValidationError, apiError } from '../errors.js';
import { type Attempt, type RadiusClient, RadiusClientError } from '../radius/client/index.js';
import { PacketCode, RadiusEncodeError } from '../radius/codec/index.js';
import { DEFAULT_PROBE_INTERVAL_MS, ServerHealth, type ServerStateChange, statusServerProber } from '../radius/server-health.js';
import type { AaaServer, AvpTranslation, Operation } from './aaa-doc.js';
import { SYSTEM_OWNER } from './aaa-doc.js';
import { matchingBlockRule, readChannel } from './block-rules.js';
import { type DestinationGuard, destinationRefused, everyAttemptRefused } from './destination-guard.js';
import type { EffectiveConfigResolver } from './effective-config.js';
import { type ChainLink, type EffectiveOperation, resolveOperation, serversFor } from './resolve-effective.js';
import { attributesByName, type JsonValue, translateReply, translateRequest } from './translate.js';
import type { WorkerPools } from './worker-pool.js';
import { type AttemptRow, attemptRows, failedAttemptRows, radiusUnreachable } from './radius-attempts.js';
import { DEFAULT_DEADLINE_MS, Deadlines, type RequestBudget } from './request-deadline.js';

export type AaaResultKind = 'accept' | 'reject' | 'challenge' | 'ok' | 'bypassed' | 'blocked';

/** One transmission (or one server that could not be tried at all), as the API shows it. */
/**
 * One try of one server, as the API shows it: the shared attempt row (outcome: the client's
 * `answered`/`timeout`/`send-failed`/`closed`, or `overloaded`, `socket`, `unresolvable`,
 * `refused` — the address is outside the destination policy, nothing sent — or
 * `skipped_dead` — marked dead by an earlier failure and not yet revived, nothing sent), with the
 * server's name and the account whose document named it.
 */
export type AaaAttempt = AttemptRow & { server: string; account: string };

export interface AaaResult {
  result: AaaResultKind;
  /** The reply's attributes by name (Message-Authenticator left out). */
  attributes: Record<string, JsonValue>;
  /** The reply translated back to the internal keys. */
  translated: Record<string, JsonValue>;
  /** The server that answered; null when nothing was sent. */
  server: string | null;
  /** The account whose configuration answered (`system` for the system document). */
  account: string | null;
  attempts: AaaAttempt[];
  /** For `bypassed`/`blocked`: the rule's channel. */
  block_rule?: string[];
}

const REQUEST_CODE: Record<Operation, number> = {
  authentication: PacketCode.AccessRequest,
  authorization: PacketCode.AccessRequest,
  accounting: PacketCode.AccountingRequest,
};

const RESULT_OF: ReadonlyMap<number, AaaResultKind> = new Map([
  [PacketCode.AccessAccept, 'accept'],
  [PacketCode.AccessReject, 'reject'],
  [PacketCode.AccessChallenge, 'challenge'],
  [PacketCode.AccountingResponse, 'ok'],
]);

function attemptsOf(server: AaaServer, account: string, attempts: readonly Attempt[]): AaaAttempt[] {
  return attemptRows({ server: server.name, account }, server.address, server.port, attempts);
}

/** A codec refusal of a translated value is the caller's 400, naming the key it came from. */
function encodeFailure(error: RadiusEncodeError, translations: readonly AvpTranslation[]): ValidationError {
  const attribute = error.attribute?.toLowerCase();
  const translation =
    attribute === undefined ? undefined : translations.find((candidate) => candidate.attribute.toLowerCase() === attribute);
  const field = translation ? `data.${translation.request_key}` : 'data';
  return ValidationError.single(field, 'encode', error.message, {
    reason: error.reason,
    ...(error.attribute ? { attribute: error.attribute } : {}),
  });
}

/** What one AAA operation did, for logs and metrics: addresses and ports, never a secret. */
export interface AaaOperationReport {
  operation: Operation;
  /** The account the request was made for. */
  account: string;
  /** The result (`accept`, `reject`, `ok`, `bypassed`, …) or the error's code (`radius_unreachable`, `deadline_exceeded`, …). */
  outcome: string;
  /** `address:port` of the last server tried (the one that answered, if one did); null when none was. */
  server: string | null;
  /** Round trip of the answer in ms; absent without one. */
  rtt_ms?: number;
  /** Rows of `attempts`: transmissions, and servers skipped or refused. */
  attempts: number;
  /** For a failure: the HTTP status it answers. */
  status?: number;
}

/** Told of each RADIUS exchange and each finished operation (metrics, logs); must be cheap and must not throw. */
export interface AaaObserver {
  /**
   * One server tried: `outcome` is the answer's kind (`accept`, `reject`, `challenge`, `ok`) or
   * why there was none (`timeout`, `socket`, `aborted`, `refused`, `unresolvable`, `skipped_dead`, …).
   */
  exchanged(operation: Operation, server: string, outcome: string, rttMs: number | undefined, transmissions: number): void;
  finished(report: AaaOperationReport): void;
}

function reportOf(
  operation: Operation,
  account: string,
  outcome: string,
  attempts: readonly AttemptRow[],
  status?: number,
): AaaOperationReport {
  const last = attempts.at(-1);
  return {
    operation,
    account,
    outcome,
    server: last ? `${last.address}:${last.port}` : null,
    ...(last?.rtt_ms === undefined ? {} : { rtt_ms: last.rtt_ms }),
    attempts: attempts.length,
    ...(status === undefined ? {} : { status }),
  };
}

function failureReport(operation: Operation, account: string, error: unknown): AaaOperationReport {
  if (!(error instanceof AppError)) return reportOf(operation, account, 'internal_error', [], 500);
  const attempts = Array.isArray(error.data.attempts) ? (error.data.attempts as AttemptRow[]) : [];
  return reportOf(operation, account, error.code, attempts, error.status);
}

/**
 * The attributes an answered Accounting-Request carried, by result: what the sessions record
 * (src/sessions) reads, without adding them to the result the API shows.
 */
export const accountingSent = new WeakMap<AaaResult, Readonly<Record<string, string | number>>>();

export interface AaaOperationsOptions {
  /** Told of every RADIUS exchange and every finished operation. */
  observer?: AaaObserver;
  /** Status-Server interval for dead servers (config `AAA_PROBE_INTERVAL_MS`). Default 5000. */
  probeIntervalMs?: number;
  /** Told when a server is marked dead or revived (e.g. to log it). Ignored with `health`. */
  onServerState?: (change: ServerStateChange) => void;
  /** A registry of one's own (tests); default one probing through `client`. */
  health?: ServerHealth;
  /** Deadlines of requests and their abort on shutdown; default one of `DEFAULT_DEADLINE_MS`. */
  deadlines?: Deadlines;
}

export class AaaOperations {
  readonly health: ServerHealth;
  readonly deadlines: Deadlines;
  readonly #observer: AaaObserver | undefined;

  constructor(
    private readonly effective: EffectiveConfigResolver,
    private readonly dictionaries: DictionaryResolver,
    private readonly client: RadiusClient,
    private readonly pools: WorkerPools,
    private readonly destinations: DestinationGuard,
    options: AaaOperationsOptions = {},
  ) {
    this.deadlines = options.deadlines ?? new Deadlines(DEFAULT_DEADLINE_MS);
    this.#observer = options.observer;
    this.health =
      options.health ??
      new ServerHealth({
        prober: statusServerProber(client),
        probeIntervalMs: options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
        stopped: () => client.closed,
        ...(options.onServerState ? { onChange: options.onServerState } : {}),
      });
  }

  /** Stops the dead-server probe loop. Idempotent; the RADIUS client is the caller's to close. */
  close(): void {
    this.health.close();
  }

  authenticate(account: AccountDoc, message: Readonly<Record<string, unknown>>, budget?: RequestBudget): Promise<AaaResult> {
    return this.run(account, 'authentication', message, budget);
  }

  authorize(account: AccountDoc, message: Readonly<Record<string, unknown>>, budget?: RequestBudget): Promise<AaaResult> {
    return this.run(account, 'authorization', message, budget);
  }

  account(account: AccountDoc, message: Readonly<Record<string, unknown>>, budget?: RequestBudget): Promise<AaaResult> {
    return this.run(account, 'accounting', message, budget);
  }

  /** Runs `operation` under `budget` (the caller finishes it), or under a default budget of its own. */
  async run(
    account: AccountDoc,
    operation: Operation,
    message: Readonly<Record<string, unknown>>,
    budget?: RequestBudget,
  ): Promise<AaaResult> {
    const own = budget ? undefined : this.deadlines.start();
    try {
      const result = await this.#run(account, operation, message, budget ?? (own as RequestBudget));
      this.#observer?.finished(reportOf(operation, account._id, result.result, result.attempts));
      return result;
    } catch (error) {
      this.#observer?.finished(failureReport(operation, account._id, error));
      throw error;
    } finally {
      own?.finish();
    }
  }

  async #run(
    account: AccountDoc,
    operation: Operation,
    message: Readonly<Record<string, unknown>>,
    budget: RequestBudget,
  ): Promise<AaaResult> {
    const channel = readChannel(message);
    const owners = ownerChain(account);
    const attempts: AaaAttempt[] = [];
    const about = { operation };
    let links: readonly ChainLink[] = await budget.race(this.effective.chainFor(account), about, attempts);
    let first = true;
    for (;;) {
      const answer = resolveOperation(links, operation);
      const source = answer.source;
      const index = links.findIndex((link) => link.owner === source);
      const config = links[index]?.config;
      if (source === null || config === undefined) {
        if (first)
          throw apiError('no_aaa_servers', `no AAA configuration of the account or its ancestors answers ${operation}`, {
            operation,
            account: null,
          });
        break;
      }
      if (answer.aaa_mode === 'off') {
        if (first)
          throw apiError('aaa_disabled', `${operation} is off (aaa_mode "off") for account ${source}`, {
            operation,
            account: source,
            aaa_mode: 'off',
          });
        break;
      }
      if (first) {
        const blocked = this.blocked(operation, channel, answer);
        if (blocked) return blocked;
      }
      const servers = serversFor(config, operation);
      if (servers.length === 0) {
        if (first)
          throw apiError('no_aaa_servers', `the AAA configuration of account ${source} names no enabled server for ${operation}`, {
            operation,
            account: source,
          });
        break;
      }
      const from = source === SYSTEM_OWNER ? [] : owners.slice(Math.max(0, owners.indexOf(source)));
      const pool = { key: `${source}/${operation}`, requester: account._id, workers: answer.workers ?? 1, signal: budget.signal };
      const answered = await this.pools
        .run(pool, () => this.tryServers(operation, message, answer, servers, from, source, attempts, budget))
        .catch((error: unknown) => {
          // Aborted while waiting for a worker: the pool rejects with the signal's own reason.
          throw budget.signal.aborted && error === budget.signal.reason ? budget.failure(about, attempts) : error;
        });
      if (answered) return answered;
      if (config.aaa_mode !== 'inherit') break;
      links = links.slice(index + 1);
      first = false;
    }
    if (everyAttemptRefused(attempts)) {
      throw destinationRefused(
        `every server for ${operation} is at an address the destination policy refuses; nothing was sent`,
        { operation },
        attempts,
      );
    }
    throw radiusUnreachable(`no RADIUS server answered ${operation}`, { operation }, attempts);
  }

  private blocked(operation: Operation, channel: string[] | undefined, answer: EffectiveOperation): AaaResult | undefined {
    if (operation === 'authentication') return undefined;
    const rule = matchingBlockRule(channel, answer.block_rules);
    if (!rule) return undefined;
    return {
      result: operation === 'authorization' ? 'bypassed' : 'blocked',
      attributes: {},
      translated: {},
      server: null,
      account: answer.source,
      attempts: [],
      block_rule: [...rule.channel],
    };
  }

  /** A server passed over with nothing sent (dead, or its address refused or unresolvable): an attempt row and a metric. */
  private notSent(
    operation: Operation,
    server: AaaServer,
    source: string,
    attempts: AaaAttempt[],
    outcome: AaaAttempt['outcome'],
    error?: string,
  ): void {
    attempts.push({
      server: server.name,
      account: source,
      address: server.address,
      port: server.port,
      attempt: 0,
      outcome,
      ...(error === undefined ? {} : { error }),
    });
    this.#observer?.exchanged(operation, `${server.address}:${server.port}`, outcome, undefined, 0);
  }

  /** The first answer of the configuration's servers, or undefined when every one failed (attempts are appended). */
  private async tryServers(
    operation: Operation,
    message: Readonly<Record<string, unknown>>,
    answer: EffectiveOperation,
    servers: readonly AaaServer[],
    dictionaryOwners: readonly string[],
    source: string,
    attempts: AaaAttempt[],
    budget: RequestBudget,
  ): Promise<AaaResult | undefined> {
    const about = { operation };
    const dead = servers.map((server) => this.health.isDead(server));
    const everyServerDead = dead.every(Boolean);
    for (const [index, server] of servers.entries()) {
      if (dead[index] && !everyServerDead) {
        this.notSent(operation, server, source, attempts, 'skipped_dead');
        continue;
      }
      const { compiled } = await budget.race(this.dictionaries.compile(server.dicts, dictionaryOwners), about, attempts);
      const attributes = translateRequest(message, answer.avp_translation, compiled, {
        nas_address: answer.nas_address,
        nas_port: answer.nas_port,
      });
      const destination = await budget.race(this.destinations.resolve(server.address, source, server.timeout), about, attempts);
      if (!destination.ok) {
        this.notSent(operation, server, source, attempts, destination.outcome, destination.error);
        continue;
      }
      const address = destination.address;
      const target = {
        address,
        port: server.port,
        secret: server.secret,
        dictionary: compiled,
        retries: server.retries,
        timeoutMs: server.timeout,
      };
      try {
        const reply = await this.client.send(target, { code: REQUEST_CODE[operation], attributes }, { signal: budget.signal });
        this.health.markAlive(server);
        attempts.push(...attemptsOf(server, source, reply.attempts));
        this.#observer?.exchanged(
          operation,
          `${server.address}:${server.port}`,
          RESULT_OF.get(reply.response.code) ?? 'reject',
          reply.attempts.at(-1)?.rttMs,
          reply.attempts.length,
        );
        const answered = this.result(
          reply.response.code,
          reply.response.attributes,
          answer.avp_translation,
          compiled,
          server,
          source,
          attempts,
        );
        if (operation === 'accounting') accountingSent.set(answered, attributes);
        return answered;
      } catch (error) {
        if (error instanceof RadiusEncodeError) throw encodeFailure(error, answer.avp_translation);
        if (!(error instanceof RadiusClientError)) throw error;
        // Transport failures only: `overloaded` is this client's own limit, `closed` its shutdown,
        // `aborted` this request's budget (the server never had its full chance).
        if (error.kind === 'timeout' || error.kind === 'socket') this.health.markDead(server, { ...target, retries: 0 });
        attempts.push(...failedAttemptRows({ server: server.name, account: source }, server.address, server.port, error));
        this.#observer?.exchanged(operation, `${server.address}:${server.port}`, error.kind, undefined, error.attempts.length);
        if (error.kind === 'aborted') throw budget.failure(about, attempts);
      }
      budget.check(about, attempts);
    }
    return undefined;
  }

  private result(
    code: number,
    replyAttributes: Parameters<typeof attributesByName>[0],
    translations: readonly AvpTranslation[],
    dictionary: CompiledDictionary,
    server: AaaServer,
    source: string,
    attempts: AaaAttempt[],
  ): AaaResult {
    return {
      result: RESULT_OF.get(code) ?? 'reject',
      attributes: attributesByName(replyAttributes.filter((attribute) => attribute.name !== 'Message-Authenticator')),
      translated: translateReply(replyAttributes, translations, dictionary),
      server: server.name,
      account: source,
      attempts,
    };
  }
}
