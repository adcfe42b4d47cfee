// A parsed config file, whatever its format: the value, where things are in the text (for messages with
// line numbers), and keys written twice. Parse errors carry a position and never a quote of the file,
// which may hold secrets.
import type { SourceFormat } from '../catalogue/types.js';
import type { ParseResult } from './types.js';

export type { DuplicateKey, KeyPath, ParseResult, ParsedDocument } from './types.js';

export async function parseDocument(text: string, format: SourceFormat): Promise<ParseResult> {
  // YAML and TOML parsers load only when such a file exists: most machines have none, and yaml costs ~30 ms.
  switch (format) {
    case 'json':
    case 'jsonc':
      return (await import('./json.js')).parseJson(text, format === 'jsonc');
    case 'toml':
      return (await import('./toml.js')).parseToml(text);
    case 'yaml':
      return (await import('./yaml.js')).parseYaml(text);
  }
}
