import { normalizeName } from '../base/pythonName';
import { isRecord } from '../versions/lookup';
import { parseToml } from '../base/toml';

/**
 * A `uv tool`'s own record, `<tool dir>/uv-receipt.toml`, names what `uv tool install` was asked
 * for: the tool's requirement (`mcp-server-time==2026.8.18`), those added with `--with`, and the
 * Python asked for. `uv tool upgrade` installs what it names again, so a version put in the tool's
 * environment behind its back (`uv pip install --python`) is undone by the user's next upgrade.
 * When a pin is the tool's own package, it is installed through `uv tool install` with the
 * receipt's other requirements and Python kept as the receipt has them, so uv writes the new version
 * in its receipt and nothing else there changes. The other pins (dependencies that moved) are not
 * added: each would become a requirement the user never asked for, held at that version by every
 * later `uv tool upgrade`; uv resolves them for the tool's version instead (`unpinned` names them).
 * Undefined where the receipt cannot be read or asks for something this does not rebuild (a URL,
 * a path, an editable, a git source): the caller installs into the environment as before.
 */
export function uvToolInstall(
  uv: string,
  receiptText: string | undefined,
  pins: ReadonlyArray<{ name: string; version: string }>,
): { install: { command: string; args: string[] }; unpinned: string[] } | undefined {
  if (receiptText === undefined) return undefined;
  let tool: unknown;
  try {
    tool = parseToml(receiptText).tool;
  } catch {
    return undefined;
  }
  if (!isRecord(tool) || !Array.isArray(tool.requirements)) return undefined;
  const reqs: Array<{ name: string; extras: string; specifier: string }> = [];
  for (const r of tool.requirements as unknown[]) {
    if (!isRecord(r) || typeof r.name !== 'string') return undefined;
    if (Object.keys(r).some((k) => k !== 'name' && k !== 'specifier' && k !== 'extras')) return undefined;
    const extras = Array.isArray(r.extras) && r.extras.length ? `[${r.extras.join(',')}]` : '';
    reqs.push({ name: r.name, extras, specifier: typeof r.specifier === 'string' ? r.specifier : '' });
  }
  const [main, ...withs] = reqs;
  const own = main && pins.find((p) => normalizeName(p.name) === normalizeName(main.name));
  if (!own) return undefined;
  const python = typeof tool.python === 'string' ? ['--python', tool.python] : [];
  return {
    install: {
      command: uv,
      args: [
        'tool',
        'install',
        `${main.name}${main.extras}==${own.version}`,
        ...withs.flatMap((r) => ['--with', `${r.name}${r.extras}${r.specifier}`]),
        ...python,
      ],
    },
    unpinned: pins.filter((p) => normalizeName(p.name) !== normalizeName(main.name)).map((p) => p.name),
  };
}
