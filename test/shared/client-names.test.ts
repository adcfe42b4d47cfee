// The console names agents from a table of its own (it cannot load the laptop's catalogue): it must say what
// the catalogue says, for every client the agent finds.
import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../../src/agent/discovery/catalogue/clients.js';
import { CLIENT_NAMES, clientDisplayName } from '../../src/shared/client-names.js';

describe('client names', () => {
  it('names every client of the catalogue as the catalogue does, and nothing else', () => {
    expect(CLIENT_NAMES).toEqual(Object.fromEntries(CLIENTS.map((client) => [client.id, client.name])));
  });

  it('says all agents for a rule on every agent, and an unknown id as it is', () => {
    expect(clientDisplayName('*')).toBe('All agents');
    expect(clientDisplayName('new-editor')).toBe('new-editor');
    expect(clientDisplayName('claude-code')).toBe('Claude Code');
  });
});
