import { type FormEvent, useState } from 'react';
import type { ServerView } from '../../shared/ipc.js';
import { useWarden } from './StoreContext.js';

export function RequestApprovalForm({ server }: { server: ServerView }) {
  const requestApproval = useWarden((state) => state.requestApproval);
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ sending: boolean; message?: string; delivered?: boolean }>({ sending: false });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState({ sending: true });
    try {
      const result = await requestApproval(server.id, reason);
      setState({ sending: false, message: result.message, delivered: result.delivered });
      if (result.delivered) setReason('');
    } catch (error) {
      setState({ sending: false, message: (error as Error).message, delivered: false });
    }
  };
  return (
    <form className="request" onSubmit={(event) => void submit(event)}>
      <label htmlFor={`reason-${server.id}`}>Request approval</label>
      <textarea
        id={`reason-${server.id}`}
        placeholder="Why do you need this server?"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        required
        maxLength={4000}
        rows={3}
      />
      <button type="submit" className="primary" disabled={state.sending || reason.trim() === ''}>
        {state.sending ? 'Sending…' : 'Send request'}
      </button>
      {state.message && (
        <p role="status" className={state.delivered ? 'sent' : 'queued'}>
          {state.message}
        </p>
      )}
    </form>
  );
}
