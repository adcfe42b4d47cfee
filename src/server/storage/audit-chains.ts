// The guard's audit log is hash-chained on the laptop (agent/guard/audit-log.ts); each tool-call event
// carries its link (chain, sequence, hash, the hash before it). The endpoint keeps each chain's head and
// checks every link against it as it arrives: a gap (entries that never arrived), a link that does not
// follow the one before (an entry changed or removed on the laptop), or an entry that arrives again with
// other content (a fork) is a problem an admin is shown, as an `audit-chain-broken` event.
import type { AgentEvent } from '../../shared/protocol.js';

/** The hash an audit chain starts from (agent/guard/audit-log.ts). */
const GENESIS_HASH = '0'.repeat(64);

export interface ChainLink {
  chain: string;
  sequence: number;
  hash: string;
  previousHash: string;
}

export interface ChainHead {
  sequence: number;
  hash: string;
}

export interface ChainProblem {
  chain: string;
  sequence: number;
  /** A sentence an admin reads, without the device's name (the caller adds it). */
  problem: string;
}

/** The audit links of some events, in the order each chain was written. */
export function linksOf(events: readonly AgentEvent[]): ChainLink[] {
  const links: ChainLink[] = [];
  for (const event of events) {
    const data = event.data ?? {};
    if (event.type !== 'tool-call' || typeof data.chain !== 'string' || typeof data.auditHash !== 'string') continue;
    if (typeof data.sequence !== 'number' || typeof data.previousHash !== 'string') continue;
    links.push({ chain: data.chain, sequence: data.sequence, hash: data.auditHash, previousHash: data.previousHash });
  }
  return links.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : a.sequence - b.sequence));
}

/** Follows each chain from its head through the new links: the heads after, and what did not follow. */
export function followChains(heads: ReadonlyMap<string, ChainHead>, links: readonly ChainLink[]) {
  const after = new Map(heads);
  const problems: ChainProblem[] = [];
  for (const link of links) {
    const head = after.get(link.chain) ?? { sequence: 0, hash: GENESIS_HASH };
    const say = (problem: string) => problems.push({ chain: link.chain, sequence: link.sequence, problem });
    if (link.sequence <= head.sequence) {
      if (link.sequence < head.sequence || link.hash !== head.hash)
        say(`entry ${link.sequence} arrived again with other content after entry ${head.sequence} (the chain was forked or rewritten)`);
      continue;
    }
    if (link.sequence > head.sequence + 1)
      say(`entries ${head.sequence + 1}–${link.sequence - 1} after entry ${head.sequence} never arrived (removed, or lost on the laptop)`);
    else if (link.previousHash !== head.hash)
      say(`entry ${link.sequence} does not follow entry ${head.sequence} (an entry was changed or removed on the laptop)`);
    after.set(link.chain, { sequence: link.sequence, hash: link.hash });
  }
  return { heads: after, problems };
}
