// `*` patterns as regular expressions, for the catalogue's file names and the policy's endpoint patterns. The
// rest of the pattern is literal; matching ignores case, as file systems and host names do on the clients' OSes.

/** `*` matches any run of characters, or with `segment` any run within one path segment. */
export function globToRegExp(pattern: string, options: { segment?: boolean } = {}): RegExp {
  const star = options.segment ? '[^/\\\\]*' : '.*';
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join(star)}$`,
    'i',
  );
}
