// The filters' choices, from the shared vocabulary: the console offers exactly what the API accepts.
import { DECISION_LABELS } from '../shared/present.js';
import { DECISION_STATUSES } from '../shared/policy.js';
import { ACCESS_TYPES, SEVERITIES } from '../shared/vocabulary.js';
import type { Choice } from './components/FilterBar.js';
import { agentName } from './format.js';

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).replace(/-/g, ' ');

export const DECISION_CHOICE: Choice = {
  name: 'decision',
  label: 'Remarks',
  options: DECISION_STATUSES.map((status) => ({ value: status, label: DECISION_LABELS[status] })),
};

export const ACCESS_CHOICE: Choice = {
  name: 'accessType',
  label: 'Access type',
  options: ACCESS_TYPES.map((type) => ({ value: type, label: capitalised(type) })),
};

export const RISK_CHOICE: Choice = {
  name: 'risk',
  label: 'Risk at least',
  options: SEVERITIES.map((severity) => ({ value: severity, label: capitalised(severity) })),
};

export const agentChoice = (agents: readonly string[], name = 'agent'): Choice => ({
  name,
  label: 'AI agent',
  options: agents.map((agent) => ({ value: agent, label: agentName(agent) })),
});

export const capitalise = capitalised;
