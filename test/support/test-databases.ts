import { couchEndpoint } from '../../src/store/database.js';

/** The prefix `uniquePrefix()` gives every test service's databases. */
export const TEST_DATABASE = /^t[0-9a-f]{10}_/;

async function allDatabases(storeUrl: string): Promise<string[]> {
  const endpoint = couchEndpoint(storeUrl);
  const response = await fetch(`${endpoint.base}/_all_dbs`, { headers: endpoint.headers });
  if (!response.ok) throw new Error(`_all_dbs answered ${response.status}`);
  return (await response.json()) as string[];
}

/**
 * What a test run may clean up on a store it shares with others (a real CouchDB named by
 * COUCHDB_URL): the databases it created, recognised by the test prefix and absent before it began.
 */
export async function testDatabasesSince(storeUrl: string): Promise<() => Promise<string[]>> {
  const before = new Set(await allDatabases(storeUrl));
  return async () => {
    const endpoint = couchEndpoint(storeUrl);
    const created = (await allDatabases(storeUrl)).filter((name) => TEST_DATABASE.test(name) && !before.has(name));
    for (const name of created) {
      await fetch(`${endpoint.base}/${encodeURIComponent(name)}`, { method: 'DELETE', headers: endpoint.headers });
    }
    return created;
  };
}
