// What each agent (client) is called, by the id the laptop reports: for views that cannot load the agent's
// discovery catalogue (the console). test/shared/client-names.test.ts keeps it equal to the catalogue's names.
export const CLIENT_NAMES: Readonly<Record<string, string>> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
  'vscode-insiders': 'VS Code Insiders',
  vscodium: 'VSCodium',
  windsurf: 'Windsurf',
  'gemini-cli': 'Gemini CLI',
  codex: 'Codex',
  zed: 'Zed',
  cline: 'Cline',
  'roo-code': 'Roo Code',
  continue: 'Continue',
  goose: 'Goose',
  kiro: 'Kiro',
  opencode: 'opencode',
  'lm-studio': 'LM Studio',
  'amazon-q': 'Amazon Q Developer',
  'copilot-cli': 'GitHub Copilot CLI',
  antigravity: 'Antigravity',
  junie: 'Junie',
  'qwen-code': 'Qwen Code',
  warp: 'Warp',
  trae: 'Trae',
  'visual-studio': 'Visual Studio',
};

/** A client id as people call it; an id this version does not know, as it is. */
export const clientDisplayName = (client: string): string => (client === '*' ? 'All agents' : (CLIENT_NAMES[client] ?? client));
