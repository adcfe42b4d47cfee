// What every reader of parsed JSON, TOML, YAML or a property list asks first.

/** A table: an object that is neither null nor an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
