import { normalizeName } from '../base/pythonName';
import { isRecord } from '../versions/lookup';
import { parseToml } from '../base/toml';
import { pythonNameProblem } from './installArgs';

/**
 * A `uv tool`'s own record, `<tool dir>/uv-receipt.toml`, names what `uv tool install` was asked
 * for: the tool's requirement (`mcp-server-time==2026.8.18`), those added with `--with`, and the
 * Python asked for. `uv tool upgrade` installs what it names again, so a version put in the tool's
 * environment behind its back (`uv pip install --python`) is undone by the user's next upgrade.
 * When a pin is the tool's own package, it is installed through `uv tool install` with the
 * receipt's other requirements kept as the receipt has them, so uv writes the new version in its
 * receipt. The Python the receipt asked for (`3`, `3.12`) is a request a face's PATH answers (VS
 * Code's extension host may find another `python3`, and uv would rebuild the tool on it): where the
 * receipt asks for one, the tool's own interpreter is passed instead (`interpreter`, the one its venv
 * was made from, an absolute path), and without it the caller installs into the environment. Every
 * name the receipt gives is checked as a Python name first, so none becomes an option. The other pins (dependencies that moved) are not
 * added: each would become a requirement the user never asked for, held at that version by every
 * later `uv tool upgrade`; uv resolves them for the tool's version instead (`unpinned` names them).
 * Undefined where the receipt cannot be read or asks for something this does not rebuild (a URL,
 * a path, an editable, a git source): the caller installs into the environment as before.
 */
export function uvToolInstall(
  uv: string,
  receiptText: string | undefined,
  pins: ReadonlyArray<{ name: string; version: string }>,
  interpreter: string | undefined,
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
    if (!isRecord(r) || typeof r.name !== 'string' || pythonNameProblem(r.name)) return undefined;
    if (Object.keys(r).some((k) => k !== 'name' && k !== 'specifier' && k !== 'extras')) return undefined;
    const extraNames: unknown[] = Array.isArray(r.extras) ? r.extras : [];
    if (!extraNames.every((e) => typeof e === 'string' && !pythonNameProblem(e))) return undefined;
    if (typeof r.specifier === 'string' && !/^[\s0-9A-Za-z._*+!<>=~,-]*$/.test(r.specifier)) return undefined;
    const extras = extraNames.length ? `[${extraNames.join(',')}]` : '';
    reqs.push({ name: r.name, extras, specifier: typeof r.specifier === 'string' ? r.specifier : '' });
  }
  const [main, ...withs] = reqs;
  const own = main && pins.find((p) => normalizeName(p.name) === normalizeName(main.name));
  if (!own) return undefined;
  if (tool.python !== undefined && interpreter === undefined) return undefined;
  const python = tool.python !== undefined && interpreter !== undefined ? ['--python', interpreter] : [];
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
