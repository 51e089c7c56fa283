/** One pre-migration check and how it is made: passed, failed (with the error it becomes) or not made. */
import type { ErrorCodeName } from '../errors.ts';

/** One check: passed (true), failed (false) or not made (null), with what was found. */
export interface Check {
  name: 'destination' | 'domain' | 'source' | 'reachable' | 'same-host' | 'destination-domain' | 'storage';
  ok: boolean | null;
  detail: string;
  /** For a failure: the error code and the input field it is about. */
  code?: ErrorCodeName;
  field?: string;
}

/** A passed check. */
export const pass = (name: Check['name'], detail: string): Check => ({ name, ok: true, detail });
/** A failed check with the error it becomes. */
export const fail = (name: Check['name'], detail: string, code: ErrorCodeName, field?: string): Check => ({ name, ok: false, detail, code, ...(field && { field }) });
/** A check not made, with why. */
export const skip = (name: Check['name'], detail: string): Check => ({ name, ok: null, detail });

