// The patterns behind capability risks, as data. docs/risk.md explains each signal; changing a pattern here
// changes what admins see, so every one is covered by a test.
import type { Severity } from '../../shared/inventory.js';

/** Kinds of privileged access a tool can grant, recognised from its name, description and input schema. */
export interface PrivilegeCategory {
  category: string;
  severity: Severity;
  name: RegExp;
  description: RegExp;
  /** Input property names that give the capability away (`command` → shell). */
  inputProperties?: RegExp;
  /** A tool annotated `readOnlyHint: true` is believed for these categories. */
  cancelledByReadOnly?: boolean;
}

/** The category an open-world annotation (openWorldHint) falls in too. */
export const NETWORK_ACCESS = 'network access';

export const PRIVILEGE_CATEGORIES: readonly PrivilegeCategory[] = [
  {
    category: 'shell or code execution',
    severity: 'critical',
    name: /(?:^|[_\-.])(?:exec|execute|shell|bash|sh|powershell|terminal|run[_-]?(?:command|script|code|shell)|subprocess|spawn|eval|evaluate[_-]?code)(?:$|[_\-.])/i,
    description:
      /\b(?:execut(?:e|es|ing)|runs?|running) (?:(?:a|any|arbitrary|the|shell|terminal|system|bash|python|javascript) )*(?:commands?|scripts?|code)\b|\bshell access\b/i,
    inputProperties: /^(?:command|cmd|script|shell_command|code)$/i,
  },
  {
    category: 'filesystem write or delete',
    severity: 'high',
    name: /(?:write|delete|remove|move|rename|edit|overwrite|append|create)[_-]?(?:file|files|directory|dir|folder)|(?:^|[_-])(?:rm|rmdir|unlink|mkdir|mv|chmod)(?:$|[_-])/i,
    description:
      /\b(?:writes?|creat(?:e|es)|delet(?:e|es)|overwrit(?:e|es)|remov(?:e|es)|modif(?:y|ies)|edits?|mov(?:e|es)) (?:(?:a|an|the|any|new|existing) )?(?:files?|director(?:y|ies)|folders?)\b/i,
    cancelledByReadOnly: true,
  },
  {
    category: 'credentials',
    severity: 'high',
    name: /(?:password|passwd|secret|credential|keychain|vault|api[_-]?key|access[_-]?token|private[_-]?key)/i,
    description: /\b(?:passwords?|credentials?|secrets?|api keys?|access tokens?|private keys?|keychain)\b/i,
  },
  {
    category: 'database write',
    severity: 'high',
    name: /(?:execute|run|write)[_-]?(?:sql|query|statement)|(?:^|[_-])(?:insert|update|upsert|delete|drop|truncate|alter)[_-](?:rows?|records?|tables?|data|documents?)(?:$|[_-])/i,
    description:
      /\b(?:insert|update|delete|drop|alter|truncate)s?\b[^.]{0,60}\b(?:rows?|tables?|records?|database|collections?)\b|\b(?:any|arbitrary) sql\b/i,
    cancelledByReadOnly: true,
  },
  {
    category: NETWORK_ACCESS,
    severity: 'medium',
    name: /(?:^|[_-])(?:fetch|http|request|download|browse|navigate|scrape|crawl|curl|web[_-]?search|open[_-]?url)(?:$|[_-])/i,
    description:
      /\b(?:fetch(?:es)?|retriev(?:e|es)|download(?:s)?|brows(?:e|es)) (?:(?:a|any|the|web|remote) )*(?:urls?|web ?pages?|websites?|internet|content from)\b|\bhttp requests?\b/i,
    inputProperties: /^(?:url|uri|endpoint)$/i,
  },
];

/** Hidden instructions aimed at the model rather than the user. */
export const POISONING_PATTERNS: readonly { pattern: RegExp; severity: Severity; evidence: string }[] = [
  {
    pattern: /\bignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|prompts|rules)\b/i,
    severity: 'critical',
    evidence: 'tells the model to ignore previous instructions',
  },
  {
    pattern: /<\s*\/?\s*(?:important|system|secret|instructions?|hidden)\s*>/i,
    severity: 'critical',
    evidence: 'carries an <IMPORTANT>-style hidden instruction block',
  },
  {
    pattern:
      /\b(?:do not|don't|never) (?:tell|inform|mention|reveal|notify|show)[^.]{0,40}\b(?:the )?user\b|\bwithout (?:telling|informing|asking|notifying) the user\b/i,
    severity: 'critical',
    evidence: 'tells the model to keep something from the user',
  },
  {
    pattern: /\bbefore (?:using|calling|invoking) (?:this|any|the) tool\b[^.]{0,80}\b(?:read|open|cat|send|pass|include|fetch)\b/i,
    severity: 'high',
    evidence: 'asks the model to do something else before using the tool',
  },
  {
    pattern:
      /(?:~|\$HOME|%USERPROFILE%)?[/\\]\.ssh\b|\bid_(?:rsa|ed25519|ecdsa)\b|\.aws[/\\]credentials|\.git-credentials|\.netrc\b|\.pgpass\b|\.npmrc\b|(?:^|[\s/\\'"`(])\.env\b/i,
    severity: 'high',
    evidence: 'refers to secret files (~/.ssh, .env, credentials)',
  },
  {
    pattern: /\bmcp\.json\b|claude_desktop_config\.json|mcp_config\.json|\.claude\.json|\.cursor[/\\]|cline_mcp_settings\.json/i,
    severity: 'high',
    evidence: 'refers to other MCP clients’ configuration files',
  },
  {
    pattern:
      /\b(?:send|post|upload|forward|exfiltrate|transmit)s? (?:it|them|this|the (?:contents?|data|results?|file|keys?|tokens?)) to\b/i,
    severity: 'medium',
    evidence: 'asks to send data somewhere',
  },
];

/** Characters that hide text from the person reading a description. */
export const HIDDEN_CHARACTERS: readonly { pattern: RegExp; severity: Severity; label: string }[] = [
  { pattern: /[\u{E0000}-\u{E007F}]/gu, severity: 'critical', label: 'Unicode tag characters (invisible text)' },
  { pattern: /[\u202A-\u202E\u2066-\u2069]/g, severity: 'high', label: 'bidirectional control characters' },
  { pattern: /[\u200B-\u200D\u2060\u180E\uFEFF]/g, severity: 'high', label: 'zero-width characters' },
];

/** Descriptions longer than this hide instructions in plain sight. */
export const OVERSIZED_DESCRIPTION_CHARS = 4096;
