import type { Deadlines, RequestBudget } from '../aaa/request-deadline.js';
import { requestedDeadline } from '../aaa/request-deadline.js';
import type { ApiContext } from './context.js';

/** The header a caller tightens a request's deadline with (milliseconds). */
export const DEADLINE_HEADER = 'X-Request-Timeout-Ms';

export interface BudgetedData {
  budget: RequestBudget;
  /** The request's `data` without `timeout_ms`, which is the budget's and never sent anywhere. */
  data: Record<string, unknown>;
}

/**
 * The budget of an AAA or CoA/Disconnect request: the deadline the caller asked for (header
 * `X-Request-Timeout-Ms` and/or `data.timeout_ms`, capped at the configured default), and an
 * abort when the client goes away before its answer (the response closes unfinished).
 */
export function operationBudget(ctx: ApiContext, data: Record<string, unknown>, deadlines: Deadlines): BudgetedData {
  const { timeout_ms: asked, ...rest } = data;
  const header = ctx.get(DEADLINE_HEADER);
  const budget = deadlines.start(requestedDeadline(header === '' ? undefined : header, asked, deadlines.defaultMs));
  // 'close' comes once the response is sent or the connection is lost: either way the request is over.
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) budget.abort('client_gone');
    budget.finish();
  });
  return { budget, data: rest };
}
