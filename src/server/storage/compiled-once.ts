// A query on the ingest path runs for every report, and building it with Kysely's builders (parse, freeze,
// compile) costs more than SQLite takes to run it. Here a query is built and compiled once per shape (a
// multi-row insert has one shape per row count), with stand-ins for its values; later runs only put the
// values where their stand-ins were. The SQL text is then the same string every time, which also keeps the
// SQLite statement cache's lookups cheap. Objects are walked in their keys' sorted order, so the order they
// were written in does not matter; their keys must be the same on every run (`null`, never a missing key).
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';

/** Where a query runs: the database or a transaction (both can run a compiled query). */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** A value's stand-in while the query is built: its position among the values, in the order walked. */
class StandIn {
  constructor(readonly position: number) {}
}

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Every leaf value of the arguments, depth first (arrays by index, plain objects by their sorted keys), and
 * the keys walked, which must be the ones the query was compiled with.
 */
function leaves(value: unknown, into: unknown[] = [], keys: string[] = []): { values: unknown[]; keys: string[] } {
  if (Array.isArray(value)) for (const item of value) leaves(item, into, keys);
  else if (isPlain(value))
    for (const key of Object.keys(value).sort()) {
      keys.push(key);
      leaves(value[key], into, keys);
    }
  else into.push(value ?? null);
  return { values: into, keys };
}

/** The same structure as `value`, each leaf replaced by its stand-in (numbered as `leaves` walks them). */
function standIns(value: unknown, next: { position: number }): unknown {
  if (Array.isArray(value)) return value.map((item) => standIns(item, next));
  if (isPlain(value))
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, standIns(value[key], next)]),
    );
  return new StandIn(next.position++);
}

/**
 * What a run needs of a compiled query, and no more: a template lives as long as the process, and one that kept
 * the built query (its tree of stand-ins) or an object per parameter held 40 MB of heap at 20,000 laptops.
 */
interface Template {
  /** The SQL text alone (no built query tree): all a driver runs. */
  compiled: CompiledQuery;
  /** The keys of the arguments it was compiled for, in the order walked. */
  keys: string;
  /** For each of the compiled query's parameters: the argument leaf it takes, or -1 for a constant of the query. */
  leaves: Int32Array;
  constants: Map<number, unknown>;
}

/**
 * A query compiled once per shape. `build` makes it from its arguments; `shape` names what changes its SQL
 * (a row count); the arguments' structure must otherwise be the same on every run.
 */
export function compiledOnce<Args, Row>(build: (args: Args) => Compilable<Row>, shape: (args: Args) => string | number = () => '') {
  const templates = new Map<string | number, Template>();
  return async (runner: QueryRunner, args: Args): Promise<Row[]> => {
    const key = shape(args);
    let template = templates.get(key);
    if (!template) {
      const compiled = build(standIns(args, { position: 0 }) as Args).compile();
      const constants = new Map<number, unknown>();
      compiled.parameters.forEach((parameter, index) => parameter instanceof StandIn || constants.set(index, parameter));
      template = {
        compiled: CompiledQuery.raw(compiled.sql),
        keys: leaves(args).keys.join(', '),
        leaves: Int32Array.from(compiled.parameters, (parameter) => (parameter instanceof StandIn ? parameter.position : -1)),
        constants,
      };
      templates.set(key, template);
    }
    const { values, keys } = leaves(args);
    // A key added, dropped or renamed since the query was compiled would put values in the wrong places.
    if (keys.join(', ') !== template.keys)
      throw new Error(`a compiled query got arguments with other keys (${keys.join(', ')}) than it was compiled for (${template.keys})`);
    const { constants } = template;
    const parameters = Array.from(template.leaves, (leaf, index) => (leaf < 0 ? constants.get(index) : values[leaf]));
    const result = await runner.executeQuery<Row>({ ...(template.compiled as CompiledQuery<Row>), parameters });
    return result.rows;
  };
}
