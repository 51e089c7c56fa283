/**
 * A tagged `sql` template that keeps SQL text and values apart: every interpolated value becomes a
 * `?` placeholder and is bound, never spliced into the text (the Signal-Desktop `ts/sql` pattern).
 * Fragments may be nested, so a WHERE clause can be assembled from fixed pieces.
 */

import type { Statement } from 'better-sqlite3';
import type { Database } from './db.ts';

/** A value SQLite can bind. */
export type SqlValue = string | number | bigint | Buffer | null;

/** SQL text with `?` placeholders, and the values bound to them, in order. */
export class SqlFragment {
  constructor(
    readonly text: string,
    readonly values: readonly SqlValue[],
  ) {}
}

/** Builds a fragment: each `${value}` becomes a bound `?`; each `${fragment}` is spliced in whole. */
export function sql(strings: TemplateStringsArray, ...parts: readonly (SqlValue | SqlFragment)[]): SqlFragment {
  let text = strings[0] ?? '';
  const values: SqlValue[] = [];
  parts.forEach((part, index) => {
    if (part instanceof SqlFragment) {
      text += part.text;
      values.push(...part.values);
    } else {
      text += '?';
      values.push(part);
    }
    text += strings[index + 1] ?? '';
  });
  return new SqlFragment(text, values);
}

/** Joins fragments with a separator fragment, e.g. `joinSql(conditions, sql` AND `)`. */
export function joinSql(fragments: readonly SqlFragment[], separator: SqlFragment): SqlFragment {
  return fragments.reduce<SqlFragment | null>(
    (joined, fragment) => (joined === null ? fragment : sql`${joined}${separator}${fragment}`),
    null,
  ) ?? sql``;
}

/**
 * Prepared statements kept by their SQL text, for queries assembled from a fixed set of pieces:
 * each distinct text is prepared once (values never reach the text, so the set stays small).
 */
export class StatementCache<Row> {
  readonly #statements = new Map<string, Statement<SqlValue[], Row>>();

  constructor(private readonly db: Database) {}

  /** The prepared statement for `text`. */
  get(text: string): Statement<SqlValue[], Row> {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.db.prepare<SqlValue[], Row>(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }
}
