import type { Command } from '../command.js';
import { aaaAuthn } from './aaa-authn.js';
import { accountsCreate } from './accounts-create.js';
import { accountsList } from './accounts-list.js';
import { apiKeyRotate } from './api-key-rotate.js';
import { dictExport } from './dict-export.js';
import { dictImport } from './dict-import.js';
import { token } from './token.js';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [token, accountsCreate, accountsList, apiKeyRotate, dictImport, dictExport, aaaAuthn];
