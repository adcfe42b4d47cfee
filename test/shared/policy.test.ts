// The truth table of docs/policy.md, line by line: precedence, expiry, IP ranges and endpoints.
import { describe, expect, it } from 'vitest';
import {
  type DecisionSubject,
  type Policy,
  type Rule,
  RuleInput,
  endpointMatches,
  evaluate,
  ipInRanges,
  isBlocked,
} from '../../src/shared/policy.js';

const NOW = new Date('2026-11-22T12:00:00Z');
let sequence = 0;
function rule(fields: Partial<Rule> & Pick<Rule, 'verdict'>): Rule {
  sequence++;
  return {
    id: `r${sequence}`,
    target: { serverKey: 'npm:pkg' },
    agents: ['*'],
    justification: `because ${sequence}`,
    markedBy: 'admin@example.com',
    updatedAt: `2026-11-01T00:00:${String(sequence % 60).padStart(2, '0')}Z`,
    ...fields,
  };
}
const policy = (rules: Rule[], defaultVerdict: Policy['defaultVerdict'] = 'pending'): Policy => ({ version: 'v', defaultVerdict, rules });
const subject = { serverKey: 'npm:pkg', agent: 'cursor' };
const decide = (rules: Rule[], extra: Partial<Parameters<typeof evaluate>[1]> = {}, ips: string[] = ['192.168.1.20']) =>
  evaluate(policy(rules), { ...subject, ...extra }, { now: NOW, deviceIps: ips });

describe('precedence', () => {
  const allowAll = rule({ verdict: 'allow' });
  const allowCursor = rule({ verdict: 'allow', agents: ['cursor'] });
  const blockAll = rule({ verdict: 'block' });
  const blockCursor = rule({ verdict: 'block', agents: ['cursor'] });
  const blockOther = rule({ verdict: 'block', agents: ['vscode'] });
  const toolBlockAll = rule({ verdict: 'block', target: { serverKey: 'npm:pkg', capability: { kind: 'tool', name: 'delete' } } });
  const toolAllowCursor = rule({
    verdict: 'allow',
    agents: ['cursor'],
    target: { serverKey: 'npm:pkg', capability: { kind: 'tool', name: 'delete' } },
  });
  const tool = { capability: { kind: 'tool' as const, name: 'delete' } };

  it.each([
    ['no rule: the organisation default', [], {}, 'pending'],
    ['server+all allow', [allowAll], {}, 'approved'],
    ['server+agent allow', [allowCursor], {}, 'approved'],
    ['server+all block', [blockAll], {}, 'rejected'],
    ['server+agent block', [blockCursor], {}, 'rejected'],
    ['a block for another agent does not apply', [blockOther], {}, 'pending'],
    ['server block for all wins over server allow for the agent', [allowCursor, blockAll], {}, 'rejected'],
    ['server block for the agent wins over server allow for all', [allowAll, blockCursor], {}, 'rejected'],
    ['server block wins over a capability allow', [blockAll, toolAllowCursor], tool, 'rejected'],
    ['capability+agent beats capability+all', [toolBlockAll, toolAllowCursor], tool, 'approved'],
    ['capability+all beats server+agent', [allowCursor, toolBlockAll], tool, 'rejected'],
    ['server rules decide a capability without its own rule', [allowCursor], tool, 'approved'],
    ['a capability rule does not decide the server', [toolBlockAll], {}, 'pending'],
    ['another server’s rule does not apply', [rule({ verdict: 'block', target: { serverKey: 'npm:other' } })], {}, 'pending'],
  ] as const)('%s', (_name, rules, extra, expected) => {
    expect(decide([...rules], extra).status).toBe(expected);
  });

  it('lets the latest rule win between two of the same specificity', () => {
    const older = rule({ verdict: 'allow', updatedAt: '2026-01-01T00:00:00Z' });
    const newer = rule({ verdict: 'conditional', updatedAt: '2026-06-01T00:00:00Z', conditions: { expiresAt: '2027-01-01T00:00:00Z' } });
    expect(decide([older, newer]).status).toBe('conditional');
  });

  it.each([
    ['allow', 'approved', 'allowed by the organisation’s default; no rule names this server', {}],
    ['pending', 'pending', 'pending review: no rule names this server yet', { code: 'not-reviewed' }],
    ['block', 'rejected', 'blocked by the organisation’s default until reviewed', { code: 'not-reviewed' }],
  ] as const)('the default %s gives %s', (verdict, status, reason, code) => {
    expect(evaluate(policy([], verdict), subject, { now: NOW, deviceIps: [] })).toEqual({ status, reason, ...code });
  });
});

describe('reasons name who decided and why', () => {
  it('for a block for all agents', () => {
    const block = rule({ verdict: 'block', justification: 'exfiltrates repos' });
    expect(decide([block])).toEqual({
      status: 'rejected',
      reason: 'blocked for all agents by admin@example.com: exfiltrates repos',
      code: 'blocked-server',
      markedBy: 'admin@example.com',
      ruleId: block.id,
      justification: 'exfiltrates repos',
      decidedAt: block.updatedAt,
    });
  });

  it('for a capability block for one agent', () => {
    const block = rule({
      verdict: 'block',
      agents: ['cursor'],
      target: { serverKey: 'npm:pkg', capability: { kind: 'tool', name: 'delete' } },
      justification: 'no deletes',
    });
    expect(decide([block], { capability: { kind: 'tool', name: 'delete' } }).reason).toBe(
      'tool delete blocked for cursor by admin@example.com: no deletes',
    );
  });

  it.each([
    ['a server blocked for every agent', { verdict: 'block' }, {}, 'blocked-server'],
    ['a server blocked for this agent', { verdict: 'block', agents: ['cursor'] }, {}, 'blocked-for-agent'],
    [
      'a tool blocked',
      { verdict: 'block', target: { serverKey: 'npm:pkg', capability: { kind: 'tool', name: 'rm' } } },
      { capability: { kind: 'tool', name: 'rm' } },
      'blocked-tool',
    ],
    [
      'a conditional approval expired',
      { verdict: 'conditional', conditions: { expiresAt: '2026-11-01T00:00:00Z' } },
      {},
      'conditional-expired',
    ],
    ['an address outside the ranges', { verdict: 'conditional', conditions: { ipRanges: ['10.0.0.0/8'] } }, {}, 'address-not-allowed'],
    [
      'an endpoint not allowed',
      { verdict: 'conditional', conditions: { endpoints: ['https://mcp.corp.example/*'] } },
      {},
      'endpoint-not-allowed',
    ],
  ] as const)('gives a code from one vocabulary for %s', (_what, fields, about, code) => {
    expect(decide([rule(fields as Partial<Rule> & Pick<Rule, 'verdict'>)], about as Partial<DecisionSubject>).code).toBe(code);
  });
});

describe('registry-only', () => {
  const only = (rules: Rule[], serverKeys: string[], extra: Partial<DecisionSubject> = {}) =>
    evaluate({ ...policy(rules, 'allow'), registry: { mode: 'only', serverKeys } }, { ...subject, ...extra }, { now: NOW });

  it('blocks a server the registry does not list, saying so and how to ask, whatever approves it', () => {
    const decision = only([rule({ verdict: 'allow' })], ['npm:other']);
    expect(decision).toEqual({
      status: 'rejected',
      code: 'not-in-registry',
      reason: 'not in the organisation’s MCP registry: only servers published there may run; ask for it with Request approval.',
    });
    expect(only([], ['npm:other'], { capability: { kind: 'tool', name: 'read' } }).code).toBe('not-in-registry');
  });

  it('lets rules decide a listed server, and says a block as a block', () => {
    expect(only([], ['npm:pkg']).status).toBe('approved');
    expect(
      only([rule({ verdict: 'block', target: { serverKey: 'npm:pkg', capability: { kind: 'tool', name: 'rm' } } })], ['npm:pkg'], {
        capability: { kind: 'tool', name: 'rm' },
      }).code,
    ).toBe('blocked-tool');
    expect(only([rule({ verdict: 'block' })], []).code).toBe('blocked-server');
  });

  it('does nothing to decisions when laptops only browse the registry', () => {
    const gallery = { ...policy([], 'allow'), registry: { mode: 'gallery' as const, serverKeys: [] } };
    expect(evaluate(gallery, subject, { now: NOW }).status).toBe('approved');
  });
});

describe('review of changed definitions', () => {
  const reviewing = (rules: Rule[]): Policy => ({
    ...policy(rules, 'allow'),
    review: { pending: [{ serverKey: 'npm:pkg', kind: 'tool', name: 'lookup', changedAt: '2026-11-20T00:00:00Z' }] },
  });
  const lookup = { ...subject, capability: { kind: 'tool' as const, name: 'lookup' } };

  it('holds a changed tool for review, whatever approved it before, and it does not run', () => {
    const decision = evaluate(reviewing([rule({ verdict: 'allow' })]), lookup, { now: NOW });
    expect(decision).toEqual({
      status: 'pending',
      code: 'definition-changed',
      reason: 'the definition of tool lookup changed on 2026-11-20T00:00:00Z: held for review until an admin decides it again',
    });
    expect(isBlocked(decision)).toBe(true);
  });

  it('leaves the server and its other tools as they were, and a block of the server still says block', () => {
    expect(evaluate(reviewing([]), subject, { now: NOW }).status).toBe('approved');
    expect(evaluate(reviewing([]), { ...subject, capability: { kind: 'tool', name: 'other' } }, { now: NOW }).status).toBe('approved');
    expect(evaluate(reviewing([rule({ verdict: 'block' })]), lookup, { now: NOW }).code).toBe('blocked-server');
  });
});

describe('conditional approvals', () => {
  it('hold until they expire, then count as blocked, saying when', () => {
    const until = rule({ verdict: 'conditional', conditions: { expiresAt: '2026-12-01T00:00:00Z' }, justification: 'trial' });
    expect(decide([until])).toMatchObject({
      status: 'conditional',
      expiresAt: '2026-12-01T00:00:00Z',
      reason: 'conditionally allowed for all agents until 2026-12-01T00:00:00Z by admin@example.com: trial',
    });
    const expired = rule({ verdict: 'conditional', conditions: { expiresAt: '2026-11-22T11:59:59Z' }, justification: 'trial' });
    const decision = decide([expired]);
    expect(decision).toMatchObject({
      status: 'expired',
      reason: 'conditional approval by admin@example.com expired on 2026-11-22T11:59:59Z: trial',
    });
    expect(isBlocked(decision)).toBe(true);
  });

  it.each([
    [['10.0.0.0/8'], ['10.1.2.3'], 'conditional'],
    [['10.0.0.0/8'], ['192.168.1.20'], 'rejected'],
    [['10.0.0.0/8', '192.168.0.0/16'], ['172.16.0.1', '192.168.1.20'], 'conditional'],
    [['203.0.113.7'], ['203.0.113.7'], 'conditional'],
    [['203.0.113.7'], ['203.0.113.8'], 'rejected'],
    [['2001:db8::/32'], ['2001:db8:1::5'], 'conditional'],
    [['2001:db8::/32'], ['2001:db9::5'], 'rejected'],
    [['10.0.0.0/8'], ['::ffff:10.9.8.7'], 'conditional'],
    [['10.0.0.0/8'], [], 'rejected'],
  ])('from %j, a device at %j is %s', (ranges, ips, expected) => {
    expect(decide([rule({ verdict: 'conditional', conditions: { ipRanges: ranges } })], {}, ips).status).toBe(expected);
  });

  it('says where the device is not allowed from', () => {
    expect(
      decide([rule({ verdict: 'conditional', conditions: { ipRanges: ['10.0.0.0/8'] }, justification: 'office only' })], {}, [
        '203.0.113.7',
      ]).reason,
    ).toBe('not allowed from 203.0.113.7 (allowed from 10.0.0.0/8), by admin@example.com: office only');
  });

  it.each([
    [['https://mcp.example.com/*'], 'https://mcp.example.com/v1/mcp', 'conditional'],
    [['https://mcp.example.com/*'], 'https://evil.example.net/mcp', 'rejected'],
    [['https://*.corp.example/mcp'], 'https://eu.corp.example/mcp', 'conditional'],
    [['https://mcp.example.com/*'], undefined, 'rejected'],
  ])('at endpoints %j, a server reached at %s is %s', (endpoints, url, expected) => {
    expect(decide([rule({ verdict: 'conditional', conditions: { endpoints } })], { url }).status).toBe(expected);
  });

  it('needs every condition to hold', () => {
    const both = rule({ verdict: 'conditional', conditions: { expiresAt: '2027-01-01T00:00:00Z', ipRanges: ['10.0.0.0/8'] } });
    expect(decide([both], {}, ['10.0.0.1']).status).toBe('conditional');
    expect(decide([both], {}, ['192.168.0.1']).status).toBe('rejected');
  });

  it('are not judged on IP ranges where no device is involved (fleet views)', () => {
    const office = rule({ verdict: 'conditional', conditions: { ipRanges: ['10.0.0.0/8'] } });
    expect(evaluate(policy([office]), subject, { now: NOW }).status).toBe('conditional');
  });
});

describe('rule input', () => {
  it('requires a justification, and a condition for a conditional rule', () => {
    const base = { target: { serverKey: 'npm:pkg' }, agents: ['*'], verdict: 'block' as const };
    expect(RuleInput.safeParse({ ...base, justification: '  ' }).success).toBe(false);
    expect(RuleInput.safeParse({ ...base, verdict: 'conditional', justification: 'x' }).success).toBe(false);
    expect(
      RuleInput.safeParse({ ...base, verdict: 'conditional', justification: 'x', conditions: { ipRanges: ['10.0.0.0/33'] } }).success,
    ).toBe(false);
    expect(
      RuleInput.safeParse({ ...base, verdict: 'conditional', justification: 'x', conditions: { ipRanges: ['10.0.0.0/8', '::1'] } }).success,
    ).toBe(true);
  });

  it('matches IPs and endpoints exactly as documented', () => {
    expect(ipInRanges('not an ip', ['10.0.0.0/8'])).toBe(false);
    expect(endpointMatches('https://a.example/*', 'HTTPS://A.EXAMPLE/x')).toBe(true);
    expect(endpointMatches('https://a.example/mcp', 'https://a.example/mcp/extra')).toBe(false);
  });
});
