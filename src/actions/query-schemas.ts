/** Schemas of query-string parameters (they arrive as strings), shared by the listing actions. */
import * as v from 'valibot';

/** An ISO 8601 time, as epoch ms. */
export const Time = v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 time like 2026-11-27T10:00:00Z'), v.transform((s) => Date.parse(s)));

/** A whole number from 1 to `max`. */
export const PositiveInt = (max: number) => v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a positive whole number'), v.transform(Number), v.minValue(1, 'must be at least 1'), v.maxValue(max, `must be at most ${max}`));

/** `true` or `false`. */
export const Flag = v.pipe(v.picklist(['true', 'false'], 'must be true or false'), v.transform((s) => s === 'true'));

/** A record's id in a path segment: 1 to 15 digits, as a number. */
export const RecordId = (what: string) => v.strictObject({ id: v.pipe(v.string(), v.regex(/^\d{1,15}$/, `must be ${what} id`), v.transform(Number)) });
