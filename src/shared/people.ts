// The people behind the agents, keyed as audit tools know them: a human is `human|alice@corp.example`, an
// agent is `agent|<client>@<hostname>`. A device's human is its user's email when IT's MDM gives one
// (UserEmail), else the OS user at the hostname (`human|alice@laptop-42`).

export const humanKey = (who: { userEmail?: string | undefined; user: string; hostname: string }): string =>
  `human|${who.userEmail ?? `${who.user}@${who.hostname}`}`;

export const agentKey = (client: string, hostname: string): string => `agent|${client}@${hostname}`;
