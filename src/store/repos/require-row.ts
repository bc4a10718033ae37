import { SlipwayError, type ErrorCode } from '../../core/errors.ts';

/** The row a caller needs to exist, or `code` saying `<what> "<key>" not found`: one wording for every repository. */
export function requireRow<T>(row: T | undefined, code: ErrorCode, what: string, key: string): T {
  if (row === undefined) throw new SlipwayError(code, `${what} "${key}" not found`);
  return row;
}
