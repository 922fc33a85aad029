import type { AccountDoc } from '../../accounts/account-doc.js';
import { badRequest } from '../../errors.js';
import { type RestAttributes, parseRestBody } from '../../subscribers/rlm-rest-format.js';
import type { RestAnswer } from '../../subscribers/rest-backend.js';
import { authorizedAccountFor } from '../auth.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

function restAttributes(raw: Buffer): RestAttributes {
  try {
    return parseRestBody(raw.length === 0 ? {} : JSON.parse(raw.toString('utf8')));
  } catch (error) {
    if (error instanceof SyntaxError) throw badRequest('invalid_json', `the body is not valid JSON: ${error.message}`);
    throw error;
  }
}

/**
 * The endpoints FreeRADIUS's rlm_rest calls (`body = 'json'`), answered in its own terms rather
 * than the Crossbar envelope: 204 ok, 200 with `reply:`/`control:` attributes, 401 reject,
 * 404 notfound. Authenticated by the account's REST credential over HTTP Basic, and served by the
 * direct lane: FreeRADIUS calls two of them on every authentication.
 */
export function restBackendRoutes(services: Services): RouteSpec[] {
  const { accounts } = services;
  const { rest } = services.backend;
  const route = (
    section: string,
    summary: string,
    run: (account: AccountDoc, request: RestAttributes, query: URLSearchParams) => Promise<RestAnswer>,
  ): RouteSpec => ({
    method: 'POST',
    path: `/v2/accounts/:accountId/aaa/rest/${section}`,
    summary,
    tag: 'rlm_rest',
    access: 'rest_credential',
    statuses: [204, 401],
    async direct({ params, query, caller, body }) {
      const account = await authorizedAccountFor(caller, accounts, params.accountId ?? '');
      const result = await run(account, restAttributes(body), query);
      // rlm_rest reads the body of 200 and 401; a JSON object is also what it expects on the others.
      return result.status === 204 ? { status: 204 } : { status: result.status, body: result.body ?? {} };
    },
  });
  return [
    route(
      'authorize',
      "rlm_rest authorize: find the subscriber (by realm in a reseller's subtree), apply groups, expiry and check items; 200 with reply and control attributes, 401 reject, 404 unknown",
      (account, request) => rest.authorize(account, request),
    ),
    route(
      'authenticate',
      'rlm_rest authenticate (Auth-Type rest): PAP against the stored scrypt hash; 204 accept, 401 reject',
      (account, request) => rest.authenticate(account, request),
    ),
    route(
      'post-auth',
      'rlm_rest post-auth: records the decision in the authentication log (`?result=%{control:Post-Auth-Type}`); 204',
      (account, request, query) => rest.postAuth(account, request, query.get('result') ?? ''),
    ),
    route(
      'accounting',
      "rlm_rest accounting: stored as a session (Start, Interim-Update, Stop; Accounting-On/Off close the NAS's sessions), then 204; 400 naming a missing Acct-Status-Type or Acct-Session-Id",
      (account, request) => rest.accounting(account, request),
    ),
  ];
}
