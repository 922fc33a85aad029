import { AppError } from '../../errors.js';

/** A line FreeRADIUS would refuse. Status 400: bad text is the client's error. */
export class DictionaryParseError extends AppError {
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly reason: string,
  ) {
    const message = `${fileName} line ${line}: ${reason}`;
    super('invalid_dictionary', message, { file: fileName, line, reason, message });
    this.name = 'DictionaryParseError';
  }
}

/** Something FreeRADIUS accepts but that does not make it into the entries (a repeated line). */
export interface ParseWarning {
  fileName: string;
  line: number;
  message: string;
}
