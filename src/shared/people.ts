// The people behind the agents, keyed as audit tools know them: a human is `human|alice@corp.example`, an
// agent is `agent|<client>@<hostname>`. A device's human is its user's email when IT's MDM gives one
// (UserEmail), else the OS user at the hostname (`human|alice@laptop-42`).

export const humanKey = (who: { userEmail?: string | undefined; user: string; hostname: string }): string =>
  `human|${who.userEmail ?? `${who.user}@${who.hostname}`}`;

export const agentKey = (client: string, hostname: string): string => `agent|${client}@${hostname}`;

/** An agent key's parts: `agent|cursor@laptop-42` → cursor on laptop-42. */
export function agentOfKey(key: string): { client: string; hostname: string } {
  const body = key.replace(/^agent\|/, '');
  const at = body.indexOf('@');
  return at < 0 ? { client: body, hostname: '' } : { client: body.slice(0, at), hostname: body.slice(at + 1) };
}
