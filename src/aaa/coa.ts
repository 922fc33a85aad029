/**
 * CoA and Disconnect (RFC 5176): a CoA-Request or Disconnect-Request to one NAS of the account's
 * own AAA document.
 *
 * The NAS and templates come from the account's own document only: a parent's NAS list is never
 * inherited (a reseller's NAS is not its customers' to disconnect). Template attributes are merged
 * under the request's own, by dictionary name (case-insensitively, as FreeRADIUS), and every name
 * must be defined in the NAS's dictionaries. ACK and NAK are both answers (200, `result` says
 * which); a NAK's Error-Cause is decoded to its dictionary VALUE name. No answer is a 504
 * `radius_unreachable` with every attempt; a NAS the destination policy refuses (after resolving
 * its host name) is a 403 `destination_refused`, nothing sent.
 *
 * Under the same rules as the AAA operations: a request runs on one of the account's own
 * `workers` (per account and kind, its queue bounded, 503 `overloaded` past it), so one
 * tenant's dead NAS holds at most its own workers' share of the shared RADIUS client; and under a
 * `RequestBudget`, so the deadline, the caller going away or shutdown abort it (504
 * `deadline_exceeded` / 503 `shutting_down` with the attempts made so far).
 */
import type { AccountDoc } from '../accounts/account-doc.js';
import { ownerChain } from '../accounts/owner-chain.js';
import type { CompiledDictionary } from '../radius/dictionary/index.js';
import type { DictionaryResolver } from '../dictionary/dictionary-resolver.js';
import { type AppError, type FieldErrors, ValidationError, apiError } from '../errors.js';
import { type RadiusClient, RadiusClientError } from '../radius/client/index.js';
import { type DecodedAttribute, PacketCode, RadiusEncodeError } from '../radius/codec/index.js';
import type { SchemaValidator } from '../schema/validator.js';
import type { Store } from '../store/couch.js';
import type { AaaNas, CoaAttributeValue, CoaTemplate } from './aaa-doc.js';
import { type DestinationGuard, destinationRefused } from './destination-guard.js';
import { type AttemptRow, attemptRows, failedAttemptRows, radiusUnreachable } from './radius-attempts.js';
import { DEFAULT_DEADLINE_MS, Deadlines, type RequestBudget } from './request-deadline.js';
import { attributesByName, type JsonValue } from './translate.js';
import type { WorkerPools } from './worker-pool.js';

export type CoaKind = 'coa' | 'disconnect';

/** The `data` of a request, after `schemas/coa_request.json` filled its defaults. */
export interface CoaRequest {
  nas: string;
  template?: string;
  attributes: Record<string, CoaAttributeValue>;
}

export interface CoaResult {
  result: 'ack' | 'nak';
  /** The reply's attributes by name (Message-Authenticator left out). */
  attributes: Record<string, JsonValue>;
  /** The reply's Error-Cause, its name from the NAS's dictionaries (null when they do not name it). */
  error_cause?: { code: number; name: string | null };
  nas: string;
  attempts: AttemptRow[];
}

const REQUEST_CODE: Record<CoaKind, number> = { coa: PacketCode.CoaRequest, disconnect: PacketCode.DisconnectRequest };
const ACK_CODES: ReadonlySet<number> = new Set([PacketCode.CoaAck, PacketCode.DisconnectAck]);
const PACKET_NAME: Record<CoaKind, string> = { coa: 'CoA-Request', disconnect: 'Disconnect-Request' };
const ERROR_CAUSE = 101;

const missing = (what: string, name: string, account: string): AppError =>
  apiError('bad_identifier', `${what} "${name}" is not defined in the AAA document of account ${account}`, { cause: name });

function errorCause(attributes: readonly DecodedAttribute[], dictionary: CompiledDictionary): CoaResult['error_cause'] {
  const found = attributes.find(
    (attribute) =>
      attribute.definition?.vendorId === 0 && attribute.definition.path.length === 1 && attribute.definition.path[0] === ERROR_CAUSE,
  );
  if (!found?.definition) return undefined;
  const { value, definition } = found;
  if (typeof value === 'number') return { code: value, name: dictionary.valueName(definition, value) ?? null };
  if (typeof value === 'string') {
    const code = dictionary.valueNumber(definition, value);
    return code === undefined ? undefined : { code, name: value };
  }
  return undefined;
}

/** The workers of an account whose document leaves them out (the schema's default). */
const DEFAULT_WORKERS = 5;

export interface CoaOperationsOptions {
  /** Deadlines of requests and their abort on shutdown; default one of `DEFAULT_DEADLINE_MS`. */
  deadlines?: Deadlines;
}

export class CoaOperations {
  readonly deadlines: Deadlines;

  constructor(
    private readonly store: Store,
    private readonly schemas: SchemaValidator,
    private readonly dictionaries: DictionaryResolver,
    private readonly client: RadiusClient,
    private readonly destinations: DestinationGuard,
    private readonly pools: WorkerPools,
    options: CoaOperationsOptions = {},
  ) {
    this.deadlines = options.deadlines ?? new Deadlines(DEFAULT_DEADLINE_MS);
  }

  /** Sends under `budget` (the caller finishes it), or under a default budget of its own. */
  async send(account: AccountDoc, kind: CoaKind, input: unknown, budget?: RequestBudget): Promise<CoaResult> {
    if (budget) return this.#send(account, kind, input, budget);
    const own = this.deadlines.start();
    try {
      return await this.#send(account, kind, input, own);
    } finally {
      own.finish();
    }
  }

  async #send(account: AccountDoc, kind: CoaKind, input: unknown, budget: RequestBudget): Promise<CoaResult> {
    const request = this.parse(input);
    const about = { nas: request.nas };
    const doc = await budget.race(this.store.aaa.get(account._id), about, []);
    const own = doc && doc.pvt_type === 'aaa' ? doc : undefined;
    const nas = own?.nas?.find((candidate) => candidate.name === request.nas);
    if (!nas) throw missing('NAS', request.nas, account._id);
    let template: CoaTemplate | undefined;
    if (request.template !== undefined) {
      template = own?.coa_templates?.find((candidate) => candidate.name === request.template);
      if (!template) throw missing('CoA template', request.template, account._id);
    }
    const { compiled } = await budget.race(this.dictionaries.compile(nas.dicts, ownerChain(account)), about, []);
    const attributes = this.attributes(request, template, nas, compiled);
    const address = await budget.race(this.address(account, nas, kind), about, []);
    const pool = { key: `${account._id}/${kind}`, requester: account._id, workers: own?.workers ?? DEFAULT_WORKERS, signal: budget.signal };
    return this.pools
      .run(pool, () => this.transmit(kind, nas, address, compiled, attributes, request, budget))
      .catch((error: unknown) => {
        // Aborted while waiting for a worker: the pool rejects with the signal's own reason.
        throw budget.signal.aborted && error === budget.signal.reason ? budget.failure(about, []) : error;
      });
  }

  private async transmit(
    kind: CoaKind,
    nas: AaaNas,
    address: string,
    compiled: CompiledDictionary,
    attributes: Record<string, CoaAttributeValue>,
    request: CoaRequest,
    budget: RequestBudget,
  ): Promise<CoaResult> {
    try {
      const reply = await this.client.send(
        { address, port: nas.port, secret: nas.secret, dictionary: compiled, retries: nas.retries, timeoutMs: nas.timeout },
        { code: REQUEST_CODE[kind], attributes },
        { signal: budget.signal },
      );
      const replied = reply.response.attributes;
      const cause = errorCause(replied, compiled);
      return {
        result: ACK_CODES.has(reply.response.code) ? 'ack' : 'nak',
        attributes: attributesByName(replied.filter((attribute) => attribute.name !== 'Message-Authenticator')),
        ...(cause ? { error_cause: cause } : {}),
        nas: nas.name,
        attempts: attemptRows({ nas: nas.name }, address, nas.port, reply.attempts),
      };
    } catch (error) {
      if (error instanceof RadiusEncodeError) throw this.encodeFailure(error, request);
      if (!(error instanceof RadiusClientError)) throw error;
      if (error.kind === 'aborted') throw budget.failure({ nas: nas.name }, failedAttemptRows({ nas: nas.name }, address, nas.port, error));
      throw radiusUnreachable(
        `NAS ${nas.name} did not answer the ${PACKET_NAME[kind]}`,
        { nas: nas.name },
        failedAttemptRows({ nas: nas.name }, address, nas.port, error),
      );
    }
  }

  /** The request's `data` against schemas/coa_request.json, errors named `data.<field>` like the rest of this API's operations. */
  private parse(input: unknown): CoaRequest {
    try {
      return this.schemas.validate<CoaRequest>('coa_request', input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        Object.fromEntries(Object.entries(error.fields).map(([field, rules]) => [field === '(body)' ? 'data' : `data.${field}`, rules])),
      );
    }
  }

  /** The template's attributes under the request's, by dictionary name; every name must be in the NAS's dictionaries. */
  private attributes(
    request: CoaRequest,
    template: CoaTemplate | undefined,
    nas: AaaNas,
    dictionary: CompiledDictionary,
  ): Record<string, CoaAttributeValue> {
    const errors: FieldErrors = {};
    const merged: Record<string, CoaAttributeValue> = {};
    const add = (source: Record<string, CoaAttributeValue>, field: (name: string) => string) => {
      for (const [name, value] of Object.entries(source)) {
        const resolved = dictionary.attribute(name);
        if (!resolved) {
          errors[field(name)] = {
            unknown_attribute: {
              message: `The attribute "${name}" is not in the dictionaries of NAS ${nas.name} (${nas.dicts.join(', ')}).`,
              attribute: name,
            },
          };
          continue;
        }
        merged[resolved.name] = value;
      }
    };
    if (template) add(template.attributes, () => 'data.template');
    add(request.attributes, (name) => `data.attributes.${name}`);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    if (Object.keys(merged).length === 0) {
      throw ValidationError.single(
        'data.attributes',
        'required',
        'Nothing to send: give attributes (e.g. User-Name, Acct-Session-Id) or a template.',
      );
    }
    return merged;
  }

  /** A codec refusal of a value is the caller's 400, naming the attribute it was given as. */
  private encodeFailure(error: RadiusEncodeError, request: CoaRequest): ValidationError {
    const attribute = error.attribute?.toLowerCase();
    const given = attribute === undefined ? undefined : Object.keys(request.attributes).find((name) => name.toLowerCase() === attribute);
    const field =
      given !== undefined
        ? `data.attributes.${given}`
        : attribute !== undefined && request.template !== undefined
          ? 'data.template'
          : 'data.attributes';
    return ValidationError.single(field, 'encode', error.message, {
      reason: error.reason,
      ...(error.attribute ? { attribute: error.attribute } : {}),
    });
  }

  /**
   * The NAS's IP address: a host name is looked up (one that does not resolve is a 504 like any
   * unreachable NAS); an address the destination policy denies the account is a 403, nothing sent.
   */
  private async address(account: AccountDoc, nas: AaaNas, kind: CoaKind): Promise<string> {
    const destination = await this.destinations.resolve(nas.address, account._id, nas.timeout);
    if (destination.ok) return destination.address;
    const attempts = [
      { nas: nas.name, address: nas.address, port: nas.port, attempt: 0, outcome: destination.outcome, error: destination.error },
    ];
    if (destination.outcome === 'refused') {
      throw destinationRefused(
        `NAS ${nas.name} (${nas.address}) is at an address the destination policy refuses; no ${PACKET_NAME[kind]} was sent`,
        { nas: nas.name },
        attempts,
      );
    }
    throw radiusUnreachable(`NAS ${nas.name} (${nas.address}) does not resolve`, { nas: nas.name }, attempts);
  }
}
