// Risk signals of one capability, from its name, description, input schema and annotations. Local and
// deterministic: the same declaration always gives the same signals. Evidence says why, never quoting more
// than a name.
import type { Capability, RiskSignal } from '../../shared/inventory.js';
import {
  HIDDEN_CHARACTERS,
  NETWORK_ACCESS,
  OVERSIZED_DESCRIPTION_CHARS,
  POISONING_PATTERNS,
  PRIVILEGE_CATEGORIES,
} from './capability-rules.js';

function propertyNames(schema: unknown): string[] {
  const properties = (schema as { properties?: unknown } | undefined)?.properties;
  return properties && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Every text a model reads about the capability: title, description, and its parameters' descriptions. */
function modelFacingText(capability: Capability): string {
  const parameterTexts = Object.values(
    ((capability.inputSchema as { properties?: Record<string, { description?: unknown }> }) ?? {}).properties ?? {},
  ).map((property) => (typeof property?.description === 'string' ? property.description : ''));
  const argumentTexts = (capability.arguments ?? []).map((argument) => argument.description ?? '');
  const visible = [capability.title ?? '', capability.description ?? '', ...parameterTexts, ...argumentTexts].join('\n');
  return `${visible}\n${revealTagText(visible)}`;
}

/** Unicode tag characters spell ASCII invisibly (U+E0041 is an invisible "A"): read what they say. */
function revealTagText(text: string): string {
  return [...text]
    .map((char) => char.codePointAt(0)!)
    .filter((code) => code >= 0xe0020 && code <= 0xe007e)
    .map((code) => String.fromCharCode(code - 0xe0000))
    .join('');
}

function privilegedAccess(capability: Capability): RiskSignal[] {
  const annotations = capability.annotations ?? {};
  const readOnly = annotations.readOnlyHint === true;
  const properties = propertyNames(capability.inputSchema);
  const signals: RiskSignal[] = [];
  const found = new Set<string>();
  for (const rule of PRIVILEGE_CATEGORIES) {
    if (readOnly && rule.cancelledByReadOnly) continue;
    const evidence: string[] = [];
    if (rule.name.test(capability.name)) evidence.push(`name "${capability.name}"`);
    if (capability.description && rule.description.test(capability.description)) evidence.push('its description');
    const property = rule.inputProperties ? properties.find((name) => rule.inputProperties!.test(name)) : undefined;
    if (property) evidence.push(`input "${property}"`);
    if (!evidence.length) continue;
    found.add(rule.category);
    signals.push({ id: 'privileged-access', severity: rule.severity, evidence: `${rule.category}: ${evidence.join(', ')}` });
  }
  if (annotations.destructiveHint === true && !readOnly)
    signals.push({ id: 'privileged-access', severity: 'high', evidence: 'annotated destructive (destructiveHint)' });
  // An open-world annotation says what a network-access rule may have found already: one signal, not two.
  if (annotations.openWorldHint === true && !found.has(NETWORK_ACCESS))
    signals.push({ id: 'privileged-access', severity: 'medium', evidence: `${NETWORK_ACCESS}: annotated open-world (openWorldHint)` });
  return signals;
}

function poisoning(capability: Capability): RiskSignal[] {
  const text = modelFacingText(capability);
  const signals: RiskSignal[] = POISONING_PATTERNS.filter((rule) => rule.pattern.test(text)).map((rule) => ({
    id: 'tool-poisoning',
    severity: rule.severity,
    evidence: `the description ${rule.evidence}`,
  }));
  for (const rule of HIDDEN_CHARACTERS) {
    const count = text.match(rule.pattern)?.length ?? 0;
    if (count) signals.push({ id: 'hidden-unicode', severity: rule.severity, evidence: `${count} ${rule.label} in the description` });
  }
  const length = capability.descriptionLength ?? capability.description?.length ?? 0;
  if (length > OVERSIZED_DESCRIPTION_CHARS)
    signals.push({
      id: 'oversized-description',
      severity: 'medium',
      evidence: `the description is ${length.toLocaleString('en')} characters long`,
    });
  return signals;
}

export function analyseCapability(capability: Capability): RiskSignal[] {
  return [...privilegedAccess(capability), ...poisoning(capability)];
}
