// No secret leaves the parser: the planted credentials of every fixture machine appear nowhere in what a scan
// outputs (JSON or table, errors included), and each one is reported as a `plaintext-secret` finding instead.
import { describe, expect, it } from 'vitest';
import { formatScan } from '../../../src/agent/cli/format-scan.js';
import { redactArgs, redactUrl } from '../../../src/agent/discovery/redact.js';
import { isPlaintextSecret, isSecretName, looksRandom, redactSecrets } from '../../../src/agent/discovery/secrets.js';
import { MACHINES, type MachineName, expectNoPlantedSecret, scanMachine, worldOf } from '../../helpers/machines.js';

describe('planted secrets', () => {
  it.each(Object.keys(MACHINES) as MachineName[])('appear nowhere in the scan of %s, as JSON or as a table', async (name) => {
    const { result } = await scanMachine(name);
    expect(expectNoPlantedSecret(JSON.stringify(result))).toEqual([]);
    expect(expectNoPlantedSecret(formatScan(result, { home: worldOf(name).home, width: Infinity }))).toEqual([]);
  });

  it('are each reported as a finding on the server that holds them, with where and never what', async () => {
    const { result } = await scanMachine('darwin');
    const flagged = result.servers
      .filter((server) => server.findings.some((finding) => finding.id === 'plaintext-secret'))
      .map(
        (server) =>
          `${server.client}/${server.name}: ${server.findings
            .filter((finding) => finding.id === 'plaintext-secret')
            .map((finding) => finding.evidence)
            .join('; ')}`,
      );
    expect(flagged).toEqual([
      'claude-desktop/fetch: argument 5 (GITHUB_TOKEN) holds a literal credential',
      'claude-desktop/github: env GITHUB_PERSONAL_ACCESS_TOKEN holds a literal credential',
      'claude-desktop/local-notes: argument 3 (value of --api-key) holds a literal credential',
      'claude-code/slack: env SLACK_BOT_TOKEN holds a literal credential',
      'claude-code/postgres: argument 3 (URL user info) holds a literal credential',
      'claude-code/context7: header CONTEXT7_API_KEY holds a literal credential',
      'cursor/remote-sse: header Authorization holds a literal credential',
      'cursor/stripe: argument 3 (--api-key) holds a literal credential',
      'vscode/perplexity: env PERPLEXITY_API_KEY holds a literal credential',
      'gemini-cli/gcp: field oauth.clientSecret holds a literal credential',
      'gemini-cli/streaming: header X-Api-Key holds a literal credential',
      'gemini-cli/jupyter: env JUPYTER_TOKEN holds a literal credential',
      'codex/docs: argument 3 (URL query parameter token) holds a literal credential; env API_KEY holds a literal credential',
      'codex/old-bearer: header Authorization holds a literal credential',
      'zed/postgres-context: env DATABASE_URL holds a literal credential',
      'continue/Remote Search: header Authorization holds a literal credential',
      'goose/github: env OPENAI_API_KEY holds a literal credential',
      'goose/remotehttp: header Authorization holds a literal credential',
      'lm-studio/lms-hf: header Authorization holds a literal credential',
      'amazon-q/q-project: env AWS_ACCESS_KEY_ID holds a literal credential',
      'copilot-cli/context7: header CONTEXT7_API_KEY holds a literal credential',
    ]);
    const secrets = result.servers.flatMap((server) => server.findings).filter((finding) => finding.id === 'plaintext-secret');
    expect(secrets.every((finding) => finding.severity === 'high')).toBe(true);
  });

  it('stay out of the errors of broken files, even when the broken line holds one', async () => {
    const { result } = await scanMachine('broken');
    const cursor = result.sources.find((source) => source.client === 'cursor' && source.path.endsWith('.cursor/mcp.json'));
    expect(cursor).toMatchObject({ status: 'invalid', error: { message: 'invalid JSONC: comma expected', line: 4, column: 5 } });
    const codex = result.sources.find((source) => source.client === 'codex' && source.path.endsWith('.codex/config.toml'));
    expect(codex?.error?.message).toBe('invalid TOML: control characters are not allowed in strings');
    expect(expectNoPlantedSecret(JSON.stringify(result.sources))).toEqual([]);
  });
});

describe('redacting arguments', () => {
  it.each([
    [
      ['--api-key', 'abcd1234efgh5678'],
      ['--api-key', '<redacted>'],
    ],
    [['--token=abcd1234efgh5678'], ['--token=<redacted>']],
    [
      ['-e', 'GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
      ['-e', 'GITHUB_TOKEN=<redacted>'],
    ],
    [
      ['--header', 'Authorization: Bearer abc.def.ghi-123456'],
      ['--header', 'Authorization: <redacted>'],
    ],
    [
      ['--header', 'Authorization:${AUTH_HEADER}'],
      ['--header', 'Authorization:${AUTH_HEADER}'],
    ],
    [['https://user:pass@example.com/mcp?key=abc&mode=x'], ['https://<redacted>@example.com/mcp?key=<redacted>&mode=<redacted>']],
    [
      ['run', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz'],
      ['run', '<redacted>'],
    ],
    [
      ['--db', 'xoxb-1234-5678-abcdefghij'],
      ['--db', '<redacted>'],
    ],
    [
      ['--seed', 'Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5'],
      ['--seed', '<redacted>'],
    ],
  ])('%j becomes %j', (args, expected) => {
    expect(redactArgs(args).value).toEqual(expected);
  });

  it.each([
    ['-y', '@modelcontextprotocol/server-filesystem', '/Users/alice/Documents'],
    ['mcp-server-sqlite==0.6.2', '--db-path', '/Users/alice/data/test.db'],
    ['--from', 'wandb-mcp-server@0.3.0', 'wandb_mcp_server'],
    ['awslabs.aws-documentation-mcp-server@latest', '--token-file', '/run/secrets/token'],
    ['run', '-i', '--rm', 'ghcr.io/redis/mcp-redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['--local-timezone=Europe/Paris', '--port', '8080', '--auth', 'oauth'],
    ['/Users/alice/projects/my-server-2024/dist/index.js'],
    ['--key-id', 'ABCDEF123', '2024-01-01T00:00:00.000Z'],
  ])('leaves ordinary arguments alone: %s', (...args) => {
    expect(redactArgs(args)).toEqual({ value: args, evidence: [] });
  });
});

describe('redacting URLs', () => {
  it('removes user info, every query value and the fragment, keeping the names', () => {
    expect(redactUrl('https://bot:hunter2@mcp.example.com/v1/sse?api_key=abc123def456&region=eu#token=xyz')).toEqual({
      value: 'https://<redacted>@mcp.example.com/v1/sse?api_key=<redacted>&region=<redacted>#<redacted>',
      evidence: ['user info', 'query parameter api_key'],
    });
  });

  it('removes a key carried in the path', () => {
    expect(redactUrl('https://actions.example.com/s/Zx9Kq2Lm8Np4Rt6Vw1Yb3Cd5/mcp').value).toBe(
      'https://actions.example.com/s/<redacted>/mcp',
    );
  });

  it('keeps unresolved variables as written', () => {
    expect(redactUrl('https://${env:HOST}/mcp')).toEqual({ value: 'https://${env:HOST}/mcp', evidence: [] });
  });
});

describe('telling secrets from settings', () => {
  it.each([
    'API_KEY',
    'GITHUB_TOKEN',
    '--api-key',
    'x-api-key',
    'Authorization',
    'clientSecret',
    'DB_PASSWORD',
    'apiKey',
    'SLACK_BOT_TOKEN',
  ])('%s is a secret name', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(['TOKEN_FILE', 'AWS_ACCESS_KEY_ID', 'auth-url', 'KEYBOARD_LAYOUT', 'MONKEY', 'tokenUrl', 'authProviderType', 'PORT', 'PATH'])(
    '%s is not',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it('does not count references, empty values or switches as plaintext', () => {
    expect(isPlaintextSecret('GITHUB_TOKEN', '${env:GITHUB_TOKEN}')).toBe(false);
    expect(isPlaintextSecret('Authorization', 'Bearer ${input:token}')).toBe(false);
    expect(isPlaintextSecret('API_KEY', '{env:OPENAI_API_KEY}')).toBe(false);
    expect(isPlaintextSecret('API_KEY', '')).toBe(false);
    expect(isPlaintextSecret('USE_TOKEN', 'true')).toBe(false);
    expect(isPlaintextSecret('DB_PASSWORD', 'correct-horse-battery')).toBe(true);
    expect(isPlaintextSecret('DATABASE_URL', 'postgres://app:s3cret@db/app')).toBe(true);
    expect(isPlaintextSecret('DATABASE_URL', 'postgres://app:${DB_PASSWORD}@db/app')).toBe(false);
  });

  it('recognises known credential formats anywhere in a string', () => {
    for (const secret of [
      'AKIAIOSFODNN7EXAMPLE',
      'AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'glpat-abcdefghij1234567890',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz',
    ]) {
      expect(redactSecrets(`prefix ${secret} suffix`).text).toBe('prefix <redacted> suffix');
    }
  });

  it('sees randomness in keys, not in words, versions or hashes of public content', () => {
    expect(looksRandom('a8F3k2J9d8S7f6G5h4J3k2L1')).toBe(true);
    expect(looksRandom('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(looksRandom('mcp-server-sequential-thinking-2')).toBe(false);
    expect(looksRandom('ModelContextProtocolServer')).toBe(false);
  });
});
