// Small helpers every discovery module needs when it walks parsed config files.

/** A JSON/TOML/YAML table: an object that is neither null nor an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
