// A statement over many rows (a multi-row insert, an `in` list) has one text per row count, and SQLite keeps
// each text it has seen compiled in the statement cache: the programs of one 14-column insert for 1 to 200
// rows took 30 MB. Cut into runs of any length up to 200, the ingest path's statements kept that many texts
// each; at 20,000 laptops a server process peaked at 403 MB after the full reports. On SQLite the runs are
// therefore powers of two (128, 64, … 1, the longest first, or from the power of two below the most rows a
// caller says): eight texts per statement at most (ten for a caller's 1,000), for a statement or two more
// per batch (same run: 299 MB). PostgreSQL keeps no compiled statement it was sent unnamed
// (prepared-statements.ts names only the small ones), and each run is a round trip there, so its runs stay as
// long as they may be.
import { chunks } from '../../shared/chunks.js';
import type { Dialect } from './storage.js';

/** Rows per statement at most, unless a caller says: its values stay far below both databases' limits on parameters. */
const MOST_ROWS = { sqlite: 128, postgres: 200 } as const satisfies Record<Dialect, number>;

/** Cuts rows into the runs one statement each takes, in order, each of at most `mostRows` rows. */
export type StatementPieces = <T>(rows: readonly T[], mostRows?: number) => T[][];

export function statementPieces(dialect: Dialect): StatementPieces {
  if (dialect === 'postgres') return (rows, mostRows = MOST_ROWS.postgres) => chunks(rows, mostRows);
  return <T>(rows: readonly T[], mostRows: number = MOST_ROWS.sqlite): T[][] => {
    const longest = 2 ** Math.floor(Math.log2(mostRows));
    const pieces: T[][] = [];
    for (let start = 0; start < rows.length;) {
      const left = Math.min(rows.length - start, longest);
      // The largest power of two that fits in what is left.
      const size = 2 ** Math.floor(Math.log2(left));
      pieces.push(rows.slice(start, start + size));
      start += size;
    }
    return pieces;
  };
}
