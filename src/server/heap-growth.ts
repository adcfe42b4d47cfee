// How far the server lets JavaScript's heap grow past what it holds before collecting it. Ingest allocates fast,
// and V8 then sizes the heap at up to four times what is live: at 100,000 laptops the process peaked at 513–594 MB
// with about 50 MB live. Growing it by at most the live size again kept the peak at 431–438 MB against 519 MB, in
// turns in one hour, at the same rate of full reports (730–740 against 739 a second); on PostgreSQL, 229 against
// 339 MB at 50,000 laptops. An operator's own V8 heap flags (in NODE_OPTIONS, or given to node) are left as they are.
import { setFlagsFromString } from 'node:v8';

const GROWING_PERCENT = 100;
/** Node takes V8's flags with dashes or underscores. */
const OWN_FLAGS = /--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size)\b/;

export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  if (OWN_FLAGS.test(`${execArgv.join(' ')} ${nodeOptions}`)) return false;
  setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
  return true;
}
