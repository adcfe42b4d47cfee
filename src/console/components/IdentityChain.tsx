// Who acted: the human, the device acting for them, the agent on it, and then its calls (the log below).
import type { ReactNode } from 'react';
import { agentKeyName, personOf } from '../format.js';
import { Link, pathTo } from '../router.js';

interface Chain {
  human?: string | undefined;
  device?: { id: string; hostname: string } | undefined;
  agent?: string | undefined;
}

export function IdentityChain({ human, device, agent }: Chain) {
  const steps = [
    human && { label: 'Human', node: <Link href={pathTo('human', { humanKey: human })}>{personOf(human)}</Link> },
    device && { label: 'Device', node: <Link href={pathTo('device', { deviceId: device.id })}>{device.hostname}</Link> },
    agent && {
      label: 'Agent',
      node: <Link href={pathTo('agent', { agentKey: agent })}>{agentKeyName(agent)}</Link>,
    },
    { label: 'Calls', node: <span>below</span> },
  ].filter(Boolean) as { label: string; node: ReactNode }[];
  return (
    <ol className="chain" aria-label="Identity chain">
      {steps.map((step) => (
        <li key={step.label}>
          <span className="sub">{step.label}</span> {step.node}
        </li>
      ))}
    </ol>
  );
}
