import type { StoredDoc } from '../store/database.js';

export type AaaMode = 'on' | 'off' | 'inherit';

export interface AaaServer {
  enabled: boolean;
  name: string;
  address: string;
  port: number;
  secret: string;
  aaa_engine: 'radius' | 'diameter';
  dicts: string[];
  avp: 'strict' | 'custom';
  retries: number;
  /** Milliseconds. */
  timeout: number;
}

export interface AvpTranslation {
  attribute: string;
  request_key: string;
  request_value_regexp: string;
  attr_value_regexp: string;
  cast?: 'string_to_integer';
}

/** A NAS this account sends CoA and Disconnect requests to (RFC 5176 Dynamic Authorization Server). */
export interface AaaNas {
  name: string;
  address: string;
  /** 3799 by default. */
  port: number;
  secret: string;
  dicts: string[];
  /** Milliseconds. */
  timeout: number;
  retries: number;
}

/** A value of a template or request attribute: one value, or a list sent as that many attributes. */
export type CoaAttributeValue = string | number | boolean | (string | number | boolean)[];

/** Named attributes a CoA or Disconnect request may start from (vendor commands are data, not code). */
export interface CoaTemplate {
  name: string;
  attributes: Record<string, CoaAttributeValue>;
}

export interface BlockRule {
  channel: string[];
}

/** The public fields of an AAA document, after schema defaults are filled. */
export interface AaaConfig {
  aaa_mode: AaaMode;
  servers: AaaServer[];
  authentication: string[];
  authorization: string[];
  accounting: string[];
  workers: number;
  nas_address?: string;
  /** The seed document writes it as a numeric string ("2000"); both forms are accepted and kept. */
  nas_port?: number | string;
  authz_apps: string[];
  authn_avp_translation: AvpTranslation[];
  authz_avp_translation: AvpTranslation[];
  accounting_avp_translation: AvpTranslation[];
  block_accounting: BlockRule[];
  block_authz: BlockRule[];
  /** The NAS devices of this account (never inherited). */
  nas?: AaaNas[];
  coa_templates?: CoaTemplate[];
  /** System document only: where tenants' servers and NAS may be (see destination-policy.ts). */
  tenant_destinations?: { allow?: string[]; deny?: string[] };
}

/** The system document lives in `system_config` under this id. */
export const SYSTEM_AAA_ID = 'circlemaker';
/** The owner recorded for system-level documents and dictionaries. */
export const SYSTEM_OWNER = 'system';

export interface AaaDoc extends StoredDoc, AaaConfig {
  pvt_type: 'aaa';
  /** The account id, or `system` for the system document. */
  pvt_account_id: string;
  pvt_created: number;
  pvt_modified: number;
}

export const OPERATIONS = ['authentication', 'authorization', 'accounting'] as const;
export type Operation = (typeof OPERATIONS)[number];

export type TranslationList = 'authn_avp_translation' | 'authz_avp_translation' | 'accounting_avp_translation';

/** Which translation list an operation applies. */
export const TRANSLATION_OF: Record<Operation, TranslationList> = {
  authentication: 'authn_avp_translation',
  authorization: 'authz_avp_translation',
  accounting: 'accounting_avp_translation',
};
