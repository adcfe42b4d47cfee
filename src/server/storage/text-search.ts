// Searching text columns the same way in both dialects: case-insensitively, for the text as typed (LIKE's own
// wildcards in it are escaped, so `50%_off` finds just that).
import { type SqlBool, sql } from 'kysely';

export const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

/** `column` holds `text`, in any case. */
export const contains = (column: string, text: string) => sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
