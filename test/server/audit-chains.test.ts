// Following a device's audit chain as its links arrive: whole, with a gap, with a changed entry, forked.
import { describe, expect, it } from 'vitest';
import { type ChainLink, followChains } from '../../src/server/storage/audit-chains.js';

const GENESIS = '0'.repeat(64);
/** A chain of `count` links, each hash `h<sequence>`. */
const chain = (count: number, name = 'c'): ChainLink[] =>
  Array.from({ length: count }, (_, index) => ({
    chain: name,
    sequence: index + 1,
    hash: `h${index + 1}`,
    previousHash: index === 0 ? GENESIS : `h${index}`,
  }));

describe('audit chains', () => {
  it('follows a whole chain, across batches, to its last entry', () => {
    const links = chain(5);
    const first = followChains(new Map(), links.slice(0, 2));
    const second = followChains(first.heads, links.slice(2));
    expect([first.problems, second.problems]).toEqual([[], []]);
    expect(second.heads.get('c')).toEqual({ sequence: 5, hash: 'h5' });
  });

  it('says which entries never arrived', () => {
    const links = chain(6);
    const { problems, heads } = followChains(new Map(), [...links.slice(0, 2), ...links.slice(4)]);
    expect(problems).toEqual([
      { chain: 'c', sequence: 5, problem: 'entries 3–4 after entry 2 never arrived (removed, or lost on the laptop)' },
    ]);
    expect(heads.get('c')).toEqual({ sequence: 6, hash: 'h6' });
  });

  it('says where an entry was changed, and where one arrived again with other content', () => {
    const links = chain(3);
    const changed = { ...links[2]!, previousHash: 'tampered' };
    expect(followChains(new Map(), [links[0]!, links[1]!, changed]).problems).toEqual([
      { chain: 'c', sequence: 3, problem: 'entry 3 does not follow entry 2 (an entry was changed or removed on the laptop)' },
    ]);
    const replayed = { ...links[1]!, hash: 'other' };
    expect(followChains(new Map([['c', { sequence: 3, hash: 'h3' }]]), [replayed]).problems).toEqual([
      { chain: 'c', sequence: 2, problem: 'entry 2 arrived again with other content after entry 3 (the chain was forked or rewritten)' },
    ]);
    // A first entry that does not start from the beginning is a changed one too.
    expect(followChains(new Map(), [{ ...links[0]!, previousHash: 'x' }]).problems).toHaveLength(1);
  });
});
