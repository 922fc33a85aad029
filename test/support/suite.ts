import { afterAll, beforeAll } from 'vitest';
import { Api } from './api.js';
import { type TestService, startTestService } from './service.js';

export interface SuiteService {
  service: TestService;
  /** A client holding the master (superduper admin) token. */
  api: Api;
}

/**
 * One service for the whole test file, started before its tests and closed after them. The
 * callback hands the started service to the file's own variables.
 */
export function useSuiteService(take: (started: SuiteService) => void, env: Record<string, string> = {}): void {
  let service: TestService | undefined;
  beforeAll(async () => {
    service = await startTestService(env);
    const client = new Api(service.url);
    take({ service, api: client.as(await client.login(service.masterApiKey)) });
  });
  afterAll(async () => {
    await service?.close();
  });
}
