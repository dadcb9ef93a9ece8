/**
 * Generators for pathological but well-formed config files: the inputs that once made a scan
 * quadratic. Shared by the unit tests, the reliability tests and bench/sources.bench.ts.
 */

/**
 * A server map of about `bytes` characters in which every name is defined twice (`s0`, `s0`, `s1`,
 * `s1`...): the last definition wins, so it holds half as many servers as definitions.
 */
export function duplicateKeyConfig(
  bytes: number,
  mapKey = 'servers',
): { text: string; definitions: number; names: number } {
  const parts: string[] = [];
  let length = 0;
  let i = 0;
  while (length < bytes - 32) {
    const part = `"s${i >> 1}":{"command":"x${i}"}`;
    parts.push(part);
    length += part.length + 1;
    i++;
  }
  if (i % 2 === 1) parts.push(`"s${i >> 1}":{"command":"x${i++}"}`);
  return { text: `{"${mapKey}":{\n${parts.join(',')}\n}}\n`, definitions: i, names: i / 2 };
}

/** `count` servers, each with one env value: every value is a secret the output must mask. */
export function serversWithEnv(count: number, mapKey = 'mcpServers'): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      `"srv${i}":{"command":"node","args":["/opt/srv/${i}/index.js"],"env":{"API_TOKEN":"tok-${i.toString(36).padStart(6, '0')}-value"}}`,
    );
  }
  return `{"${mapKey}":{\n${parts.join(',\n')}\n}}\n`;
}

/**
 * `names` servers (`s0`...) then `repeats` more definitions of one name (`r`, an empty object): a
 * repeated name that moves to the end of a large map each time (once quadratic: 4.7 MB of them
 * took 74-92 s).
 */
export function repeatedNameConfig(names: number, repeats: number, mapKey = 'servers'): string {
  const parts: string[] = [];
  for (let i = 0; i < names; i++) parts.push(`"s${i}":{"command":"x"}`);
  for (let i = 0; i < repeats; i++) parts.push('"r":{}');
  return `{"${mapKey}":{\n${parts.join(',')}\n}}\n`;
}

/**
 * `count` entries of one server (`mem-0`...: the same command and args, no env), pretty-printed as
 * a client writes them: `wrap mem-0` rewrites every one of them in one plan.
 */
export function sameServerEntries(count: number, command: string, mapKey = 'mcpServers'): string {
  const entries = Array.from(
    { length: count },
    (_, i) => `    "mem-${i}": { "command": "${command}", "args": ["--flag"] }`,
  );
  return `{\n  "globalShortcut": "",\n  "${mapKey}": {\n${entries.join(',\n')}\n  }\n}\n`;
}
