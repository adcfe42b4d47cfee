// The organisation's policy (rules, default) and its evaluation: a pure function of the policy, one server
// (or one of its capabilities), the agent, the time and this device's addresses. docs/policy.md holds the
// truth table; test/shared/policy.test.ts checks every line of it.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { CAPABILITY_KINDS } from './vocabulary.js';
import { globToRegExp } from './glob.js';
import { REGISTRY_MODES } from './registry.js';

export const VERDICTS = ['allow', 'block', 'conditional'] as const;
export const DECISION_STATUSES = ['approved', 'rejected', 'conditional', 'expired', 'pending'] as const;
/** Why something is not allowed, in one word per cause (docs/policy.md#why-something-is-not-allowed). */
export const DENIAL_CODES = [
  'blocked-tool',
  'blocked-server',
  'blocked-for-agent',
  'conditional-expired',
  'address-not-allowed',
  'endpoint-not-allowed',
  'not-reviewed',
  'not-in-registry',
  'definition-changed',
] as const;
export type DenialCode = (typeof DENIAL_CODES)[number];
export const DEFAULT_VERDICTS = ['allow', 'pending', 'block'] as const;

/** An address or a range, IPv4 or IPv6: `203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`. */
export const IpRange = z.string().refine((value) => {
  try {
    if (value.includes('/')) ipaddr.parseCIDR(value);
    else ipaddr.parse(value);
    return true;
  } catch {
    return false;
  }
}, 'expected an IP address or a CIDR range');

export const Conditions = z.object({
  /** ISO 8601; after it the approval no longer holds. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  /** The device must have an address in one of these. */
  ipRanges: z.array(IpRange).min(1).optional(),
  /** URL patterns (`*` matches within the URL) the server may be reached at; a local server matches none. */
  endpoints: z.array(z.string().min(1)).min(1).optional(),
});
export type Conditions = z.infer<typeof Conditions>;

export const RuleTarget = z.object({
  serverKey: z.string().min(1).max(2000),
  /** Absent: the whole server. */
  capability: z.object({ kind: z.enum(CAPABILITY_KINDS), name: z.string().min(1).max(500) }).optional(),
});
export type RuleTarget = z.infer<typeof RuleTarget>;

/** A rule as an admin writes it (the server adds `id`, `markedBy`, `updatedAt`). */
export const RuleInput = z
  .object({
    target: RuleTarget,
    /** Client ids (`cursor`, `claude-code`, …) or `["*"]` for all agents. */
    agents: z.array(z.string().min(1).max(100)).min(1),
    verdict: z.enum(VERDICTS),
    conditions: Conditions.optional(),
    justification: z.string().trim().min(1, 'a justification is required').max(2000),
  })
  .refine(
    (rule) => rule.verdict !== 'conditional' || (rule.conditions && Object.values(rule.conditions).some((value) => value !== undefined)),
    {
      message: 'a conditional rule needs at least one condition (expiresAt, ipRanges or endpoints)',
      path: ['conditions'],
    },
  );
export type RuleInput = z.infer<typeof RuleInput>;

export const Rule = z.object({
  id: z.string(),
  target: RuleTarget,
  agents: z.array(z.string()),
  verdict: z.enum(VERDICTS),
  conditions: Conditions.optional(),
  justification: z.string(),
  markedBy: z.string(),
  updatedAt: z.string(),
});
export type Rule = z.infer<typeof Rule>;

export const Policy = z.object({
  /** Changes whenever any rule or setting changes (the ETag). */
  version: z.string(),
  defaultVerdict: z.enum(DEFAULT_VERDICTS),
  /** Shown with every block, Santa-style. */
  blockMessage: z.string().optional(),
  moreInfoUrl: z.string().optional(),
  rules: z.array(Rule),
  /**
   * The organisation's MCP registry, when laptops use it: `gallery` points VS Code's gallery at it; `only` also
   * lets nothing else run (a server whose serverKey is not among the active entries' is blocked).
   */
  registry: z.object({ mode: z.enum(REGISTRY_MODES).exclude(['off']), serverKeys: z.array(z.string()) }).optional(),
  /**
   * When the organisation holds changed definitions for review: each capability whose definition changed since
   * an admin last decided it. Until an admin decides it again it is pending review, and does not run.
   */
  review: z
    .object({
      pending: z.array(z.object({ serverKey: z.string(), kind: z.enum(CAPABILITY_KINDS), name: z.string(), changedAt: z.string() })),
    })
    .optional(),
});
export type Policy = z.infer<typeof Policy>;

export const DecisionStatus = z.enum(DECISION_STATUSES);
export type DecisionStatus = z.infer<typeof DecisionStatus>;

export const Decision = z.object({
  status: DecisionStatus,
  reason: z.string(),
  /** Set on every decision that does not allow (rejected, expired, pending). */
  code: z.enum(DENIAL_CODES).optional(),
  markedBy: z.string().optional(),
  expiresAt: z.string().optional(),
  ruleId: z.string().optional(),
  justification: z.string().optional(),
  /** When the deciding rule was last set. */
  decidedAt: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** What a decision is about: a server on this device, optionally one of its capabilities. */
export interface DecisionSubject {
  serverKey: string;
  /** The client (agent) that loads it. */
  agent: string;
  /** Where a remote server is reached, for endpoint conditions. */
  url?: string | undefined;
  capability?: { kind: (typeof CAPABILITY_KINDS)[number]; name: string } | undefined;
}

export interface DecisionContext {
  now: Date;
  /** This device's addresses, for IP conditions; absent for fleet-wide views, where they are not checked. */
  deviceIps?: readonly string[] | undefined;
}

/** Two rules about the same server or capability for the same agents: the later replaces the earlier. */
export function sameScope(a: Pick<Rule, 'target' | 'agents'>, b: Pick<Rule, 'target' | 'agents'>): boolean {
  const capability = (rule: Pick<Rule, 'target'>) =>
    rule.target.capability ? `${rule.target.capability.kind}:${rule.target.capability.name}` : '';
  const agents = (rule: Pick<Rule, 'agents'>) => [...new Set(rule.agents)].sort().join(',');
  return a.target.serverKey === b.target.serverKey && capability(a) === capability(b) && agents(a) === agents(b);
}

/**
 * Blocked in effect: rejected outright, a conditional that expired or whose condition is unmet, or a capability
 * whose definition changed and waits for an admin (a changed tool never rides on its old approval).
 */
export function isBlocked(decision: Decision): boolean {
  return decision.status === 'rejected' || decision.status === 'expired' || decision.code === 'definition-changed';
}

const forAgent = (rule: Rule, agent: string) => rule.agents.includes(agent);
const forAll = (rule: Rule) => rule.agents.includes('*');

function sameCapability(rule: Rule, capability: DecisionSubject['capability']): boolean {
  return (
    rule.target.capability !== undefined &&
    capability !== undefined &&
    rule.target.capability.kind === capability.kind &&
    rule.target.capability.name === capability.name
  );
}

function whoFor(rule: Rule): string {
  return rule.agents.includes('*') ? 'all agents' : rule.agents.join(', ');
}

/** `*` matches any run of characters; everything else literally. */
export function endpointMatches(pattern: string, url: string): boolean {
  const regex = globToRegExp(pattern);
  return regex.test(url.trim());
}

export function ipInRanges(ip: string, ranges: readonly string[]): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:10.0.0.1) into IPv4.
    address = ipaddr.process(ip);
  } catch {
    return false;
  }
  return ranges.some((range) => {
    try {
      if (!range.includes('/')) return ipaddr.process(range).toString() === address.toString();
      const [network, bits] = ipaddr.parseCIDR(range);
      if (address.kind() !== network.kind()) return false;
      return address.kind() === 'ipv4'
        ? (address as ipaddr.IPv4).match(network as ipaddr.IPv4, bits)
        : (address as ipaddr.IPv6).match(network as ipaddr.IPv6, bits);
    } catch {
      return false;
    }
  });
}

function fromRule(rule: Rule, status: DecisionStatus, reason: string, extra: Partial<Decision> = {}): Decision {
  return {
    status,
    reason,
    markedBy: rule.markedBy,
    ruleId: rule.id,
    justification: rule.justification,
    decidedAt: rule.updatedAt,
    ...extra,
  };
}

/** A conditional rule here and now: conditional while every condition holds, else expired or rejected, saying which. */
function evaluateConditional(rule: Rule, subject: DecisionSubject, context: DecisionContext): Decision {
  const conditions = rule.conditions ?? {};
  const expiresAt = conditions.expiresAt;
  if (expiresAt && Date.parse(expiresAt) <= context.now.getTime()) {
    return fromRule(rule, 'expired', `conditional approval by ${rule.markedBy} expired on ${expiresAt}: ${rule.justification}`, {
      expiresAt,
      code: 'conditional-expired',
    });
  }
  if (conditions.ipRanges && context.deviceIps && !context.deviceIps.some((ip) => ipInRanges(ip, conditions.ipRanges!))) {
    const here = context.deviceIps.length ? context.deviceIps.join(', ') : 'an unknown address';
    return fromRule(
      rule,
      'rejected',
      `not allowed from ${here} (allowed from ${conditions.ipRanges.join(', ')}), by ${rule.markedBy}: ${rule.justification}`,
      { code: 'address-not-allowed', ...(expiresAt ? { expiresAt } : {}) },
    );
  }
  if (conditions.endpoints && !(subject.url && conditions.endpoints.some((pattern) => endpointMatches(pattern, subject.url!)))) {
    const where = subject.url ? `at ${subject.url}` : 'as a local server';
    return fromRule(
      rule,
      'rejected',
      `not allowed ${where} (allowed at ${conditions.endpoints.join(', ')}), by ${rule.markedBy}: ${rule.justification}`,
      { code: 'endpoint-not-allowed', ...(expiresAt ? { expiresAt } : {}) },
    );
  }
  const until = expiresAt ? ` until ${expiresAt}` : '';
  return fromRule(
    rule,
    'conditional',
    `conditionally allowed for ${whoFor(rule)}${until} by ${rule.markedBy}: ${rule.justification}`,
    expiresAt ? { expiresAt } : {},
  );
}

function fromMatch(rule: Rule, subject: DecisionSubject, context: DecisionContext): Decision {
  const what = rule.target.capability ? `${rule.target.capability.kind} ${rule.target.capability.name}` : '';
  if (rule.verdict === 'block') {
    const code = rule.target.capability ? 'blocked-tool' : forAll(rule) ? 'blocked-server' : 'blocked-for-agent';
    return fromRule(rule, 'rejected', `${what ? `${what} ` : ''}blocked for ${whoFor(rule)} by ${rule.markedBy}: ${rule.justification}`, {
      code,
    });
  }
  if (rule.verdict === 'allow')
    return fromRule(rule, 'approved', `${what ? `${what} ` : ''}approved for ${whoFor(rule)} by ${rule.markedBy}: ${rule.justification}`);
  return evaluateConditional(rule, subject, context);
}

function byDefault(policy: Policy): Decision {
  switch (policy.defaultVerdict) {
    case 'allow':
      return { status: 'approved', reason: 'allowed by the organisation’s default; no rule names this server' };
    case 'block':
      return {
        status: 'rejected',
        reason: `blocked by the organisation’s default until reviewed${policy.blockMessage ? `: ${policy.blockMessage}` : ''}`,
        code: 'not-reviewed',
      };
    case 'pending':
      return { status: 'pending', reason: 'pending review: no rule names this server yet', code: 'not-reviewed' };
  }
}

/** A pending review entry about this very capability of this server. */
const sameSubject = (item: { serverKey: string; kind: string; name: string }, subject: DecisionSubject) =>
  item.serverKey === subject.serverKey && item.kind === subject.capability?.kind && item.name === subject.capability.name;

const NOT_IN_REGISTRY: Decision = {
  status: 'rejected',
  reason: 'not in the organisation’s MCP registry: only servers published there may run; ask for it with Request approval.',
  code: 'not-in-registry',
};

/**
 * The decision for a server (or one capability of it) loaded by one agent. A server-level block for this
 * agent or for all agents wins over everything; then, under registry-only, a server not in the registry is
 * blocked; then a capability whose definition changed since it was last decided waits for review; otherwise the most specific rule decides:
 * capability+agent > capability+all > server+agent > server+all > the organisation's default.
 * The latest rule wins between rules of the same specificity.
 */
export function evaluate(policy: Policy, subject: DecisionSubject, context: DecisionContext): Decision {
  const rules = policy.rules
    .filter((rule) => rule.target.serverKey === subject.serverKey && (forAgent(rule, subject.agent) || forAll(rule)))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const serverRules = rules.filter((rule) => !rule.target.capability);
  const block =
    serverRules.find((rule) => rule.verdict === 'block' && forAgent(rule, subject.agent)) ??
    serverRules.find((rule) => rule.verdict === 'block');
  if (block) return fromMatch(block, subject, context);
  if (policy.registry?.mode === 'only' && !policy.registry.serverKeys.includes(subject.serverKey)) return NOT_IN_REGISTRY;
  const changed = subject.capability && policy.review?.pending.find((item) => sameSubject(item, subject));
  if (changed)
    return {
      status: 'pending',
      code: 'definition-changed',
      reason: `the definition of ${changed.kind} ${changed.name} changed on ${changed.changedAt}: held for review until an admin decides it again`,
    };

  const capabilityRules = rules.filter((rule) => sameCapability(rule, subject.capability));
  const ordered = [
    capabilityRules.find((rule) => forAgent(rule, subject.agent)),
    capabilityRules.find(forAll),
    serverRules.find((rule) => forAgent(rule, subject.agent)),
    serverRules.find(forAll),
  ];
  const match = ordered.find((rule): rule is Rule => rule !== undefined);
  return match ? fromMatch(match, subject, context) : byDefault(policy);
}
