// Making a decision: allow, block or conditionally allow a server or one capability, for one agent or all,
// with the justification every decision needs. A block first says what it reaches; a conditional approval
// takes how long, where from (all addresses, some, or CIDR ranges, IPv4 and IPv6) and which endpoints.
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { IpRange, type Rule, type RuleInput, type RuleTarget, sameScope } from '../../shared/policy.js';
import { useChange, useImpact, usePolicy } from '../api/queries.js';
import { agentName, agentsPhrase, ago, plural } from '../format.js';
import { ChangeError } from './States.js';

export type Verdict = RuleInput['verdict'];

export interface DecisionRequest {
  verdict: Verdict;
  target: RuleTarget;
  /** What the decision is about, as the dialog's title says it. */
  subject: string;
  /** The agent the admin is looking at; absent when the server is loaded by none in particular. */
  agent?: string | undefined;
  /** The agents "only" means, when more than `agent` (a guard shared by several clients asked for it). */
  forAgents?: string[];
  /** Start with every agent chosen (Block for all agents). */
  allAgents?: boolean;
  /** Filled in from an employee's request. */
  justification?: string;
}

const TITLES: Record<Verdict, string> = { allow: 'Allow', block: 'Block', conditional: 'Conditionally allow' };
const DAY_MS = 86_400_000;

type Where = 'all' | 'specific' | 'cidr';

/** The conditions as the form holds them, checked into a rule's, or the first thing wrong with them. */
function conditionsOf(
  form: { until: 'days' | 'date'; days: string; date: string; where: Where; addresses: string; endpoints: string },
  now: Date,
) {
  const conditions: NonNullable<RuleInput['conditions']> = {};
  if (form.until === 'days') {
    const days = Number(form.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) return { error: 'Allowed for: give a whole number of days, from 1 to 3650.' };
    conditions.expiresAt = new Date(now.getTime() + days * DAY_MS).toISOString();
  } else {
    if (!form.date) return { error: 'Allowed until: choose a date.' };
    // The end of the chosen day, where the admin is.
    const end = new Date(`${form.date}T23:59:59`);
    if (Number.isNaN(end.getTime())) return { error: `Allowed until: ${form.date} is not a date.` };
    if (end.getTime() <= now.getTime()) return { error: `Allowed until: ${form.date} is in the past; choose a later day.` };
    conditions.expiresAt = end.toISOString();
  }
  if (form.where !== 'all') {
    const entries = form.addresses
      .split(/[\s,]+/)
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0)
      return {
        error:
          form.where === 'cidr' ? 'IP ranges: give at least one range, such as 10.0.0.0/8.' : 'IP addresses: give at least one address.',
      };
    for (const entry of entries) {
      const isRange = entry.includes('/');
      if (form.where === 'specific' && isRange) return { error: `${entry} is a range; choose "IP range (CIDR)" for ranges.` };
      if (form.where === 'cidr' && !isRange)
        return {
          error: `${entry} is one address; write it as a range (${entry.includes(':') ? `${entry}/128` : `${entry}/32`}) or choose "Specific IPs".`,
        };
      if (!IpRange.safeParse(entry).success)
        return { error: `${entry} is not ${isRange ? 'an IPv4 or IPv6 range in CIDR form' : 'an IPv4 or IPv6 address'}.` };
    }
    conditions.ipRanges = entries;
  }
  const endpoints = form.endpoints
    .split(/\s+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (endpoints.length) conditions.endpoints = endpoints;
  return { conditions };
}

export function DecisionDialog({ request, agents, onClose }: { request: DecisionRequest; agents: string[]; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [forAll, setForAll] = useState(request.allAgents ?? !request.agent);
  const [justification, setJustification] = useState(request.justification ?? '');
  const [form, setForm] = useState({
    until: 'days' as 'days' | 'date',
    days: '30',
    date: '',
    where: 'all' as Where,
    addresses: '',
    endpoints: '',
  });
  const [problem, setProblem] = useState<string>();
  const [lift, setLift] = useState(false);
  const policy = usePolicy();
  // Under registry-only an approval does not let an unpublished server run: publishing does.
  const registry = policy.data?.registry;
  const outsideRegistry = registry?.mode === 'only' && !registry.serverKeys.includes(request.target.serverKey);
  const only = request.forAgents?.length ? request.forAgents : request.agent ? [request.agent] : [];
  const agentsOfRule = forAll || only.length === 0 ? ['*'] : only;
  // What a block reaches is counted for one agent, or for every agent.
  const agent = !forAll && only.length === 1 ? only[0] : undefined;
  // A server-level block wins over every other rule: a decision under one that stays changes nothing.
  const standing =
    request.verdict === 'block'
      ? []
      : (policy.data?.rules ?? []).filter(
          (rule) =>
            rule.verdict === 'block' &&
            !rule.target.capability &&
            rule.target.serverKey === request.target.serverKey &&
            !sameScope(rule, { target: request.target, agents: agentsOfRule }) &&
            (rule.agents.includes('*') || agentsOfRule.some((chosen) => chosen === '*' || rule.agents.includes(chosen))),
        );
  // Only a decision about the whole server may lift a block of it; one tool's never does.
  const liftable = !request.target.capability && standing.length > 0;
  /** The agents a lifted block still holds for: those of its own the admin did not choose. */
  const keptFor = (block: Rule) =>
    block.agents.includes('*') || agentsOfRule.includes('*') ? [] : block.agents.filter((name) => !agentsOfRule.includes(name));
  const change = useChange(async (api, { rule, lifting }: { rule: RuleInput; lifting: Rule[] }) => {
    await api.send('POST', '/v1/admin/rules', rule);
    for (const block of lifting) {
      const kept = keptFor(block);
      // The block stays for the agents the admin did not choose before the old one goes.
      if (kept.length)
        await api.send('POST', '/v1/admin/rules', {
          target: block.target,
          agents: kept,
          verdict: 'block',
          justification: block.justification,
        } satisfies RuleInput);
      await api.send('DELETE', `/v1/admin/rules/${encodeURIComponent(block.id)}`);
    }
  });
  const impact = useImpact(request.target.serverKey, agent, request.verdict === 'block');

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    if (!justification.trim()) return setProblem('Justification: say why, for the people this reaches and for the audit.');
    let conditions: RuleInput['conditions'];
    if (request.verdict === 'conditional') {
      const checked = conditionsOf(form, new Date());
      if ('error' in checked) return setProblem(checked.error);
      conditions = checked.conditions;
    }
    const rule: RuleInput = {
      target: request.target,
      agents: agentsOfRule,
      verdict: request.verdict,
      justification: justification.trim(),
      ...(conditions ? { conditions } : {}),
    };
    await change.mutateAsync({ rule, lifting: lift && liftable ? standing : [] }).then(onClose, () => undefined);
  };

  // A problem said once is gone as soon as the admin changes something.
  const set = (changes: Partial<typeof form>) => {
    setProblem(undefined);
    setForm((current) => ({ ...current, ...changes }));
  };
  const title = `${TITLES[request.verdict]} ${request.subject}`;
  const submitLabel = request.verdict === 'conditional' ? 'Approve with Conditions' : request.verdict === 'block' ? 'Block' : 'Allow';

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="decision-title" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id="decision-title">{title}</h2>
        {request.agent && agents.length > 0 && (
          <fieldset>
            <legend>For</legend>
            <label className="choice">
              <input type="radio" name="for" checked={!forAll} onChange={() => setForAll(false)} /> {agentsPhrase(only)} only
            </label>
            <label className="choice">
              <input type="radio" name="for" checked={forAll} onChange={() => setForAll(true)} /> All agents
            </label>
          </fieldset>
        )}
        {request.verdict === 'block' && (
          <p className="impact" role="status">
            {impact.data
              ? `Affects ${plural(impact.data.devices, 'device')} and ${plural(impact.data.people, 'person', 'people')}; ${impact.data.lastCalledAt ? `last called ${ago(impact.data.lastCalledAt)}` : 'no call recorded'}.`
              : impact.isError
                ? 'What this block reaches could not be counted.'
                : 'Counting what this block reaches…'}
          </p>
        )}
        {standing.length > 0 && (
          <div className="notice" role="note">
            {standing.map((block) => (
              <p key={block.id}>
                The whole server is blocked for {agentsPhrase(block.agents)} by {block.markedBy}: {block.justification}. A block of the
                server wins over every other decision
                {liftable ? '' : ', so this one takes effect only once that block is lifted, on the server’s Action menu'}.
              </p>
            ))}
            {liftable && (
              <label className="choice">
                <input type="checkbox" checked={lift} onChange={(event) => setLift(event.target.checked)} /> Lift{' '}
                {standing.length === 1 ? 'that block' : 'those blocks'} for {agentsPhrase(agentsOfRule)}
                {standing.some((block) => block.agents.includes('*') || agentsOfRule.includes('*'))
                  ? ' (a block for all agents goes entirely: every other agent then follows its own rules or the organisation’s default)'
                  : standing.some((block) => keptFor(block).length)
                    ? ` (it stays for ${standing.flatMap(keptFor).map(agentName).join(', ')})`
                    : ''}
              </label>
            )}
          </div>
        )}
        {request.verdict !== 'block' && outsideRegistry && (
          <p className="notice" role="note">
            Registry only is on, and this server is not in the organisation’s MCP registry: it stays blocked on laptops until it is
            published (Add to MCP registry on its Action menu), whatever is decided here.
          </p>
        )}
        {request.verdict === 'conditional' && (
          <>
            <fieldset>
              <legend>How long</legend>
              <label className="choice">
                <input type="radio" name="until" checked={form.until === 'days'} onChange={() => set({ until: 'days' })} /> For a number of
                days
              </label>
              {form.until === 'days' && (
                <Field label="Days" id="days">
                  <input id="days" inputMode="numeric" value={form.days} onChange={(event) => set({ days: event.target.value })} />
                </Field>
              )}
              <label className="choice">
                <input type="radio" name="until" checked={form.until === 'date'} onChange={() => set({ until: 'date' })} /> Until a date
              </label>
              {form.until === 'date' && (
                <Field label="Allowed until" id="until-date">
                  <input id="until-date" type="date" value={form.date} onChange={(event) => set({ date: event.target.value })} />
                </Field>
              )}
              <p className="help">When the time is up, it is blocked again on every laptop, without anyone acting.</p>
            </fieldset>
            <fieldset>
              <legend>Where it may be used from</legend>
              {(
                [
                  ['all', 'All IPs'],
                  ['specific', 'Specific IPs'],
                  ['cidr', 'IP range (CIDR)'],
                ] as const
              ).map(([value, label]) => (
                <label className="choice" key={value}>
                  <input type="radio" name="where" checked={form.where === value} onChange={() => set({ where: value })} /> {label}
                </label>
              ))}
              {form.where !== 'all' && (
                <Field
                  label={form.where === 'cidr' ? 'IP ranges' : 'IP addresses'}
                  id="addresses"
                  help="IPv4 or IPv6, one per line or separated by commas."
                >
                  <textarea
                    id="addresses"
                    rows={3}
                    value={form.addresses}
                    placeholder={form.where === 'cidr' ? '10.20.0.0/16\n2001:db8::/32' : '203.0.113.7\n2001:db8::7'}
                    onChange={(event) => set({ addresses: event.target.value })}
                  />
                </Field>
              )}
            </fieldset>
            <Field
              label="Endpoints it may reach (optional)"
              id="endpoints"
              help="URL patterns, one per line; * matches any run of characters. A local server matches none."
            >
              <textarea
                id="endpoints"
                rows={2}
                value={form.endpoints}
                placeholder="https://api.example.com/*"
                onChange={(event) => set({ endpoints: event.target.value })}
              />
            </Field>
          </>
        )}
        <Field label="Justification" id="justification" help="Required. Employees see it with the decision; the audit keeps it.">
          <textarea
            id="justification"
            rows={3}
            required
            value={justification}
            onChange={(event) => {
              setProblem(undefined);
              setJustification(event.target.value);
            }}
          />
        </Field>
        {problem && (
          <p className="change-error" role="alert">
            {problem}
          </p>
        )}
        <ChangeError error={change.error} />
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={request.verdict === 'block' ? 'danger' : 'primary'} disabled={change.isPending}>
            {change.isPending ? 'Saving…' : submitLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function Field({ label, id, help, children }: { label: string; id: string; help?: string; children: ReactNode }) {
  return (
    <div className="field-block">
      <label htmlFor={id}>{label}</label>
      {children}
      {help && <p className="help">{help}</p>}
    </div>
  );
}
