// `npm run bench`: how fast MCP Warden is, printed as numbers (never asserted in tests).
import { runEnrollBench } from './enroll-bench.mjs';
import { runFleetBench } from './fleet-bench.mjs';
import { runGuardBench } from './guard-bench.mjs';
import { runProbeBench } from './probe-bench.mjs';
import { runScanBench } from './scan-bench.mjs';
import { runServerBench } from './server-bench.mjs';

// `npm run bench server` runs one group; no argument runs them all. `npm run bench fleet postgres` runs the
// fleet group on one backend (sqlite or postgres).
const groups = {
  scan: runScanBench,
  probe: runProbeBench,
  server: runServerBench,
  enroll: runEnrollBench,
  guard: runGuardBench,
  fleet: () => runFleetBench(backend),
};
const args = process.argv.slice(2);
const backend = args.find((name) => name === 'sqlite' || name === 'postgres');
const chosen = args.filter((name) => name in groups);
const results = [];
for (const name of chosen.length ? chosen : Object.keys(groups)) results.push(...[await groups[name]()].flat());
console.log('\nMCP Warden benchmarks');
for (const group of results) {
  console.log(`\n${group.title}`);
  for (const [label, value] of group.rows) console.log(`  ${label.padEnd(44)} ${value}`);
}
