import { authorizedAccount } from '../auth.js';
import { readData } from '../body.js';
import { csvFields } from '../../subscribers/batch.js';
import { reply } from '../envelope.js';
import type { RouteSpec } from '../route.js';
import type { Services } from '../services.js';

const csvCell = (value: string): string =>
  /[",\r\n]/.test(value) || csvFields(value)[0] !== value ? `"${value.replace(/"/g, '""')}"` : value;

/** PUT …/subscribers/batch: CSV rows or `{prefix, count}`; generated passwords are shown once (JSON, or CSV). */
export function batchRoute(services: Services): RouteSpec {
  const { accounts, config, schemas } = services;
  return {
    method: 'PUT',
    path: '/v2/accounts/:accountId/aaa/subscribers/batch',
    summary:
      'Create subscribers in bulk from CSV (`username,password[,group…]`) or `{prefix, count, group}` with generated passwords; idempotent by `batch_id`; `Accept: text/csv` returns the generated credentials as CSV',
    tag: 'subscribers',
    access: 'token',
    requestSchema: 'subscriber_batch',
    statuses: [201],
    async handle(ctx) {
      const account = await authorizedAccount(ctx, accounts, ctx.params.accountId ?? '');
      const input = schemas.validate<Parameters<typeof services.backend.batches.run>[1]>(
        'subscriber_batch',
        await readData(ctx, config.maxBodyBytes),
      );
      const result = await services.backend.batches.run(account, input);
      const status = result.replayed ? 200 : 201;
      if (ctx.accepts('application/json', 'text/csv') === 'text/csv') {
        ctx.status = status;
        ctx.type = 'text/csv; charset=utf-8';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = `${['username,password', ...result.credentials.map((c) => `${csvCell(c.username)},${csvCell(c.password)}`)].join('\r\n')}\r\n`;
        return;
      }
      ctx.set('Cache-Control', 'no-store');
      reply(ctx, result, { status });
    },
  };
}
