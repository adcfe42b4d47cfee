// How a server entry is found, wrapped, cut out and put back, per config format: one editor for JSON and JSONC
// (jsonc-parser), one for TOML (line edits checked by smol-toml), one for YAML (text edits placed and checked by
// the `yaml` package).
import type { ServerEntry } from '../../shared/inventory.js';
import type { KeyPath } from '../discovery/parse/document.js';
import type { ScanOutcome } from '../discovery/scan.js';
import {
  tomlCutRange,
  tomlEntryRange,
  tomlInsertByKey,
  tomlUnwrappableReason,
  validToml,
  wrapTomlEntryText,
  wrapTomlEntryUrl,
} from './toml-entry.js';
import {
  validYaml,
  wrapYamlEntryText,
  wrapYamlEntryUrl,
  yamlCutRange,
  yamlEntryRange,
  yamlInsertByKey,
  yamlUnwrappableReason,
} from './yaml-entry.js';
import {
  type GuardLaunch,
  type GuardTarget,
  type Range,
  cutRange,
  entryRange,
  insertByKey,
  unwrappableReason,
  validJson,
  wrapEntryText,
  wrapEntryUrl,
} from './wrap-entry.js';

export interface EntryEditor {
  /** Where the entry's text stands in the file. */
  range(text: string, keyPath: KeyPath): Range | undefined;
  /** Why this entry cannot be wrapped, or undefined when it can. */
  unwrappableReason(entryText: string): string | undefined;
  wrap(entryText: string, guard: GuardLaunch, target: GuardTarget): string;
  /** A remote entry pointed at the guard's loopback proxy. */
  wrapUrl(entryText: string, url: string): string;
  /** What to cut to take the entry out of the file (quarantine), leaving it valid. */
  cutRange(text: string, keyPath: KeyPath): Cut | undefined;
  /** Puts a cut entry back by its key, when the text around its old place changed. */
  insertByKey(text: string, containerPath: readonly (string | number)[], removed: string): string;
  /** Whether a whole edited file still reads without error: nothing is written otherwise. */
  valid(text: string): boolean;
}

/** A cut, and what stands in the entry's place when its container would otherwise read as empty (YAML's `{}`). */
export type Cut = Range & { placeholder?: string };

/** An edit whose result would not read back: refused, and the file left as it was. */
export class EditRefused extends Error {
  override name = 'EditRefused';
}

const JSON_EDITOR: EntryEditor = {
  range: entryRange,
  unwrappableReason,
  wrap: wrapEntryText,
  wrapUrl: wrapEntryUrl,
  cutRange,
  insertByKey,
  valid: validJson,
};
const TOML_EDITOR: EntryEditor = {
  range: tomlEntryRange,
  unwrappableReason: tomlUnwrappableReason,
  wrap: wrapTomlEntryText,
  wrapUrl: wrapTomlEntryUrl,
  cutRange: tomlCutRange,
  insertByKey: tomlInsertByKey,
  valid: validToml,
};

const YAML_EDITOR: EntryEditor = {
  range: yamlEntryRange,
  unwrappableReason: yamlUnwrappableReason,
  wrap: wrapYamlEntryText,
  wrapUrl: wrapYamlEntryUrl,
  cutRange: yamlCutRange,
  insertByKey: yamlInsertByKey,
  valid: validYaml,
};

export const EDITORS: Readonly<Record<string, EntryEditor>> = {
  json: JSON_EDITOR,
  jsonc: JSON_EDITOR,
  toml: TOML_EDITOR,
  yaml: YAML_EDITOR,
};

/** The format of each server's config file, as the scan read it (a file may be read by several clients). */
export function formatsOf(outcome: ScanOutcome): (server: Pick<ServerEntry, 'client' | 'configPath'>) => string {
  const formats = new Map(outcome.result.sources.map((source) => [`${source.client}\0${source.path}`, source.format]));
  return (server) => formats.get(`${server.client}\0${server.configPath}`) ?? '';
}
