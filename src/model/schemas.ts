/** Input schemas that more than one floor validates with. */
import * as v from 'valibot';

/** A libvirt domain name: 1–255 characters, no slash, no control characters. */
export const DomainName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(255, 'must be at most 255 characters'),
  v.regex(/^[^/\u0000-\u001f\u007f]+$/, 'must not contain "/" or control characters'),
);
