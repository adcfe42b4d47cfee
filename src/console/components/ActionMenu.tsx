// A server's Action menu: the five things an admin does to a server. A disclosure of buttons rather than an
// ARIA menu: each is an ordinary button, reachable with Tab, closed with Escape.
import { useEffect, useRef, useState } from 'react';
import type { DecisionRequest } from './DecisionDialog.js';

interface ActionMenuProps {
  serverName: string;
  serverKey: string;
  agent: string | undefined;
  /** Why the admin may not decide (their role), else undefined. */
  refusal: string | undefined;
  onDecide: (request: DecisionRequest) => void;
  /** Why the server cannot be published now (blocked for every agent), else undefined. */
  publishRefusal?: string | undefined;
  onPublish: () => void;
}

export function ActionMenu({ serverName, serverKey, agent, refusal, onDecide, publishRefusal, onPublish }: ActionMenuProps) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', close);
    document.addEventListener('mousedown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('mousedown', close);
    };
  }, [open]);

  const target = { serverKey };
  const actions: { label: string; request?: DecisionRequest; run?: () => void; disabled?: string | undefined }[] = [
    { label: 'Allow this server', request: { verdict: 'allow', target, subject: serverName, agent } },
    { label: 'Block this server', request: { verdict: 'block', target, subject: serverName, agent } },
    { label: 'Block for all agents', request: { verdict: 'block', target, subject: serverName, agent, allAgents: true } },
    { label: 'Conditionally allow this server', request: { verdict: 'conditional', target, subject: serverName, agent } },
    { label: 'Add to MCP registry', run: onPublish, disabled: publishRefusal },
  ];

  return (
    <div className="menu" ref={box}>
      <button type="button" className="primary" aria-expanded={open} aria-controls="server-actions" onClick={() => setOpen(!open)}>
        Action ▾
      </button>
      {open && (
        <ul id="server-actions" className="menu-list">
          {actions.map((action) => {
            const why = action.disabled ?? refusal;
            return (
              <li key={action.label}>
                <button
                  type="button"
                  disabled={Boolean(why)}
                  title={why}
                  aria-describedby={why ? `why-${action.label.replace(/\W+/g, '-')}` : undefined}
                  onClick={() => {
                    setOpen(false);
                    if (action.request) onDecide(action.request);
                    action.run?.();
                  }}
                >
                  {action.label}
                </button>
                {why && (
                  <span className="why" id={`why-${action.label.replace(/\W+/g, '-')}`}>
                    {why}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
