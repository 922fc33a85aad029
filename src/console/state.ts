/** The account the views act on, and who is told when it changes. */
export interface AccountRef {
  id: string;
  name: string;
}

let current: AccountRef | undefined;
const listeners: ((account: AccountRef) => void)[] = [];

export function selectedAccount(): AccountRef | undefined {
  return current;
}

export function selectAccount(account: AccountRef): void {
  current = account;
  for (const listener of listeners) listener(account);
}

export function onAccountSelected(listener: (account: AccountRef) => void): void {
  listeners.push(listener);
}
