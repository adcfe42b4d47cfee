// Decisions and risks as small coloured labels; the words are always there, so colour is never the only sign.
import type { FleetDecision } from '../../shared/admin-api.js';
import { decisionTone } from '../format.js';

export function DecisionBadge({ decision }: { decision: Pick<FleetDecision, 'status' | 'label' | 'reason'> }) {
  return (
    <span className={`badge ${decisionTone(decision)}`} title={decision.reason}>
      {decision.label}
    </span>
  );
}

const RISK_TONE: Record<string, string> = { none: 'none', info: 'none', low: 'low', medium: 'medium', high: 'high', critical: 'high' };

export function RiskBadge({ risk }: { risk: string }) {
  return (
    <span className={`risk ${RISK_TONE[risk] ?? 'none'}`}>
      {risk === 'none' ? 'No signals' : risk.charAt(0).toUpperCase() + risk.slice(1)}
    </span>
  );
}
