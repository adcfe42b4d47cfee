// Searching text columns the same way in both dialects: case-insensitively, for the text as typed (LIKE's own
// wildcards in it are escaped, so `50%_off` finds just that).
import { type SqlBool, sql } from 'kysely';
import type { Dialect } from './storage.js';

export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

/** `column`, kept in lower case already (the search_text columns), holds `text` in any case. */
export const containsLowered = (column: string, text: string) => sql<SqlBool>`${sql.ref(column)} like ${likePattern(text)} escape '\\'`;

/**
 * `column` holds `text`, in any case. SQLite's LIKE already ignores case as its lower() does (ASCII letters
 * only), so there the column is compared as it is: lowering every row first made a search of 100,000 devices
 * take half as long again. PostgreSQL's LIKE minds case.
 */
export const contains = (dialect: Dialect, column: string, text: string) =>
  dialect === 'sqlite' ? containsLowered(column, text) : sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
