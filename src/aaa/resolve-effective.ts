import type { AaaConfig, AaaMode, AaaServer, AvpTranslation, BlockRule, Operation } from './aaa-doc.js';
import { OPERATIONS, TRANSLATION_OF } from './aaa-doc.js';

/** One level of the tree, nearest first; the system document is the last link. */
export interface ChainLink {
  /** An account id, or `system`. */
  owner: string;
  config: AaaConfig | undefined;
}

/** A server as the effective configuration shows it: never with its secret. */
export type EffectiveServer = Omit<AaaServer, 'secret' | 'enabled'>;

export interface ChainStep {
  owner: string;
  aaa_mode: AaaMode | 'missing';
  servers: number;
  decision: 'use' | 'off' | 'inherit';
}

export interface EffectiveOperation {
  /** Whose document answers: an account id, `system`, or null when nothing does. */
  source: string | null;
  aaa_mode: AaaMode | null;
  servers: EffectiveServer[];
  chain: ChainStep[];
  workers?: number;
  nas_address?: string;
  nas_port?: number | string;
  avp_translation: AvpTranslation[];
  block_rules: BlockRule[];
}

export type EffectiveConfig = Record<Operation, EffectiveOperation>;

const BLOCK_RULES: Partial<Record<Operation, keyof AaaConfig>> = {
  authorization: 'block_authz',
  accounting: 'block_accounting',
};

/** Enabled servers named in the operation's list, in the order of the `servers` array. */
export function serversFor(config: AaaConfig, operation: Operation): AaaServer[] {
  const named = new Set(config[operation]);
  return config.servers.filter((server) => server.enabled && named.has(server.name));
}

function shown(server: AaaServer): EffectiveServer {
  const { secret, enabled, ...rest } = server;
  void secret;
  void enabled;
  return rest;
}

function answeredBy(owner: string, config: AaaConfig, operation: Operation, servers: AaaServer[], chain: ChainStep[]): EffectiveOperation {
  const blockKey = BLOCK_RULES[operation];
  const answer: EffectiveOperation = {
    source: owner,
    aaa_mode: config.aaa_mode,
    servers: servers.map(shown),
    chain,
    workers: config.workers,
    avp_translation: config[TRANSLATION_OF[operation]],
    block_rules: blockKey ? (config[blockKey] as BlockRule[]) : [],
  };
  if (config.nas_address !== undefined) answer.nas_address = config.nas_address;
  if (config.nas_port !== undefined) answer.nas_port = config.nas_port;
  return answer;
}

/**
 * Walks the chain for one operation: `off` stops with nothing, `on` answers with its servers
 * (even none), `inherit` answers only if it has servers for the operation, else defers upward.
 * An account without a document inherits.
 */
export function resolveOperation(chain: readonly ChainLink[], operation: Operation): EffectiveOperation {
  const steps: ChainStep[] = [];
  for (const link of chain) {
    const config = link.config;
    if (!config) {
      steps.push({ owner: link.owner, aaa_mode: 'missing', servers: 0, decision: 'inherit' });
      continue;
    }
    const servers = serversFor(config, operation);
    if (config.aaa_mode === 'off') {
      steps.push({ owner: link.owner, aaa_mode: 'off', servers: servers.length, decision: 'off' });
      return { ...answeredBy(link.owner, config, operation, [], steps), servers: [] };
    }
    if (config.aaa_mode === 'on' || servers.length > 0) {
      steps.push({ owner: link.owner, aaa_mode: config.aaa_mode, servers: servers.length, decision: 'use' });
      return answeredBy(link.owner, config, operation, servers, steps);
    }
    steps.push({ owner: link.owner, aaa_mode: config.aaa_mode, servers: 0, decision: 'inherit' });
  }
  return { source: null, aaa_mode: null, servers: [], chain: steps, avp_translation: [], block_rules: [] };
}

export function resolveEffective(chain: readonly ChainLink[]): EffectiveConfig {
  return Object.fromEntries(OPERATIONS.map((operation) => [operation, resolveOperation(chain, operation)])) as EffectiveConfig;
}
