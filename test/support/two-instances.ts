import { afterAll, beforeAll } from 'vitest';
import { Api } from './api.js';
import { type TestService, startTestService } from './service.js';

/** Two replicas of the service on one store, each with a master-token client. */
export interface TwoInstances {
  first: TestService;
  second: TestService;
  viaFirst: Api;
  viaSecond: Api;
}

/**
 * Starts two services on the same store (one DB_PREFIX, one master key) for the file's tests and
 * closes both after: what one writes reaches the other only through its changes feed. The fields
 * are filled in `beforeAll`; read them inside tests, not at module load.
 */
export function useTwoInstances(): TwoInstances {
  const both = {} as TwoInstances;
  beforeAll(async () => {
    both.first = await startTestService();
    both.second = await startTestService({ DB_PREFIX: both.first.dbPrefix, AAA_MASTER_API_KEY: both.first.masterApiKey });
    const master = await new Api(both.first.url).login(both.first.masterApiKey);
    both.viaFirst = new Api(both.first.url, master);
    both.viaSecond = new Api(both.second.url, master);
  });
  afterAll(async () => {
    await Promise.all([both.first?.close(), both.second?.close()]);
  });
  return both;
}
