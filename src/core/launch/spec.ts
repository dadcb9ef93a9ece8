/** Package specs as launch lines write them: npm's `name@range` and Python's requirements. */

/** `@scope/name@range` / `name@range` / `name` -> name and range (undefined: any version). */
export function parsePackageSpec(spec: string): { name: string; range?: string } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  if (at <= 0) return { name: spec };
  return { name: spec.slice(0, at), range: spec.slice(at + 1) || undefined };
}

/**
 * Deno's `npm:` specifier, `npm:@scope/name@range/sub/path` -> name, range (undefined: any version)
 * and the file inside the package it names, if any; undefined when the word is no `npm:` specifier.
 */
export function parseNpmSpecifier(
  word: string,
): { spec: string; name: string; range?: string; subpath?: string } | undefined {
  const m = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]*))?(?:\/(.*))?$/.exec(word);
  if (!m || m[1] === '') return undefined;
  const range = m[2] || undefined;
  return {
    spec: range !== undefined ? `${m[1]}@${range}` : m[1],
    name: m[1],
    ...(range !== undefined ? { range } : {}),
    ...(m[3] ? { subpath: m[3] } : {}),
  };
}

/**
 * `pkg`, `pkg==1.2`, `pkg@1.2`, `pkg[extra]>=1` -> the project name, the pinned version (`==` or
 * `@` only) and the extras asked for (as written; absent when none). A URL or path source
 * (`git+https://host/x/y@main`, `./dir`) is its own name, without a ref.
 */
export function parseRequirement(spec: string): { name: string; version?: string; extras?: string[] } {
  if (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(spec) ||
    /^(git|hg|svn|bzr)\+/i.test(spec) ||
    /^([.~/\\]|[A-Za-z]:[\\/])/.test(spec)
  )
    return { name: spec.replace(/@[^/@]*$/, '') };
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?\s*(?:(?:==|@)\s*([^,;\s]+))?/.exec(spec);
  if (!m) return { name: spec };
  const extras = (m[2] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  // `pkg@latest` asks for the newest release: no pin.
  const version = m[3] !== undefined && m[3].toLowerCase() !== 'latest' ? m[3] : undefined;
  return { name: m[1], ...(version ? { version } : {}), ...(extras.length ? { extras } : {}) };
}
