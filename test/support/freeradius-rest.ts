/**
 * FreeRADIUS configured to use the service as its policy backend through rlm_rest: the same
 * module and site configuration the README documents (`## FreeRADIUS policy backend (rlm_rest)`).
 */
import fs from 'node:fs';
import type { Api } from './api.js';
import { type FreeRadiusServer, freeRadiusInstalled, startFreeRadius } from './freeradius.js';

export interface RestBackendSettings {
  /** e.g. `http://127.0.0.1:8000/v2/accounts/<account id>/aaa/rest` */
  baseUrl: string;
  username: string;
  password: string;
  /**
   * Connections rlm_rest keeps open to the service, all opened at start: its pool opens one
   * connection at a time, so a burst that needs more than the pool has waits seconds for them.
   * One per FreeRADIUS worker thread is enough (each holds one while it waits for the answer).
   */
  connections?: number;
}

function section(name: string, uri: string, settings: RestBackendSettings): string {
  return `		${name} {
			uri = "${uri}"
			method = 'post'
			body = 'json'
			auth = 'basic'
			username = "${settings.username}"
			password = "${settings.password}"
			require_auth = yes
		}`;
}

/** `mods-available/rest` (plus chap and mschap, which check CHAP and MS-CHAPv2 with what authorize hands them). */
export function restModule(settings: RestBackendSettings): string {
  const max = settings.connections ?? 16;
  // FreeRADIUS's own `${..connect_uri}` reference, written literally into its configuration.
  const connectUri = '$' + '{..connect_uri}';
  return `	rest {
		connect_uri = "${settings.baseUrl}"
${section('authorize', `${connectUri}/authorize`, settings)}
${section('post-auth', `${connectUri}/post-auth?result=%{control:Post-Auth-Type}`, settings)}
${section('accounting', `${connectUri}/accounting`, settings)}
		pool {
			start = ${max}
			min = ${max}
			max = ${max}
			spare = 0
			uses = 0
			retry_delay = 1
			lifetime = 0
			idle_timeout = 60
		}
	}
	chap {
	}
	mschap {
	}`;
}

/** The sections of the virtual server: rest everywhere, chap/mschap for the challenge-response methods. */
export const REST_SITE_SECTIONS = `	authorize {
		rest
		if (notfound) {
			reject
		}
		chap
		mschap
	}
	authenticate {
		Auth-Type CHAP {
			chap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}
	post-auth {
		rest
		Post-Auth-Type REJECT {
			rest
		}
	}
	accounting {
		rest
	}`;

export function restPolicy(settings: RestBackendSettings): { modules: string; sections: string } {
  // A stock install defines `reject` in mods-enabled/always; the minimal test config does not.
  const reject = `	always reject {
		rcode = reject
	}`;
  return { modules: `${restModule(settings)}\n${reject}`, sections: REST_SITE_SECTIONS };
}

/** Whether FreeRADIUS and its rlm_rest module (Debian's `freeradius-rest`) are installed. */
export const rlmRestInstalled = (): boolean => freeRadiusInstalled() && fs.existsSync('/usr/lib/freeradius/rlm_rest.so');

/**
 * FreeRADIUS with rlm_rest calling the service `api` talks to, as `accountId`, with a REST
 * credential issued for that account through `api`.
 */
export async function startFreeRadiusForAccount(api: Api, accountId: string): Promise<FreeRadiusServer> {
  const credential = await api.put(`/v2/accounts/${accountId}/aaa/rest_credentials`);
  if (credential.status !== 200) throw new Error(`rest_credentials: ${credential.status} ${JSON.stringify(credential.body)}`);
  return startFreeRadius('', {
    policy: restPolicy({
      baseUrl: `${api.baseUrl}/v2/accounts/${accountId}/aaa/rest`,
      username: credential.body.data.username,
      password: credential.body.data.password,
    }),
  });
}
