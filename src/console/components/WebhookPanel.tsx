// Settings → Streaming to the SIEM: whether every event reaches the organisation's SIEM, what waits while the
// receiver is away, and what was dropped beyond the backlog (set with the server's --events-webhook flags).
import { useQuery } from '@tanstack/react-query';
import { WebhookView } from '../../shared/admin-api.js';
import { useApi } from '../api/queries.js';
import { ago, dateTime } from '../format.js';
import { ErrorState, Loading } from './States.js';

export function WebhookPanel() {
  const api = useApi();
  const webhook = useQuery({ queryKey: ['webhook'], queryFn: () => api.get('/v1/admin/webhook', WebhookView), refetchInterval: 15_000 });
  return (
    <section className="panel" aria-labelledby="webhook-heading">
      <h2 id="webhook-heading">Streaming to the SIEM</h2>
      {webhook.isPending ? (
        <Loading what="the webhook’s state" />
      ) : webhook.isError ? (
        <ErrorState error={webhook.error} retry={() => void webhook.refetch()} />
      ) : !webhook.data.configured ? (
        <p className="sub">
          Not set up: start the server with --events-webhook URL and --events-webhook-secret to send every event as it arrives.
        </p>
      ) : (
        <>
          {webhook.data.failing && (
            <p className="notice" role="alert">
              The receiver is not taking events ({webhook.data.failing}). They wait and are sent again
              {webhook.data.oldestReceivedAt ? `; the oldest waiting arrived ${ago(webhook.data.oldestReceivedAt)}` : ''}.
            </p>
          )}
          {webhook.data.dropped > 0 && (
            <p className="notice" role="alert">
              {webhook.data.dropped.toLocaleString('en')} events were dropped without being sent: the backlog was full while the receiver
              was away.
            </p>
          )}
          <dl className="facts">
            <dt>Receiver</dt>
            <dd className="mono">{webhook.data.url}</dd>
            <dt>Waiting</dt>
            <dd>{webhook.data.waiting.toLocaleString('en')} events</dd>
            <dt>Last delivered</dt>
            <dd>{webhook.data.lastDeliveredAt ? dateTime(webhook.data.lastDeliveredAt) : 'nothing yet since the server started'}</dd>
          </dl>
        </>
      )}
    </section>
  );
}
