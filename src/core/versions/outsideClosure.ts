import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import { isRecord, readJson, ResolveContext } from './lookup';
import { memberDirs } from './nodeTree';
import { distributions } from './python';
import { normalizeName } from './pythonClosure';

/**
 * Which of the named packages, recorded in a closure that no longer holds them, are still
 * installed beside it: a dependency the server stopped requiring is not gone when its folder (npm)
 * or its dist-info (Python) is still there. Names are the closure's own (`a > b` for npm's nested
 * copies). Returns `name -> version installed`; absent names are gone.
 */
export async function stillInstalled(
  ctx: ResolveContext,
  installed: Installed,
  names: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (installed.state !== 'installed' || !names.length) return out;
  const p = pathFor(ctx.host);
  if (installed.ecosystem === 'npm') {
    // A loose script's members are in its project's node_modules, not below the script file.
    const from = installed.nodeProject?.dir ?? installed.location;
    for (const name of names) {
      for (const dir of memberDirs(ctx, from, name)) {
        const json = await readJson(ctx.fs, p.join(dir, 'package.json'));
        if (isRecord(json) && typeof json.version === 'string') {
          out[name] = json.version;
          break;
        }
      }
    }
  } else if (installed.ecosystem === 'python') {
    // The site-packages its closure was read from (a script's location is the script itself);
    // else location is `<site-packages>/<dist>.dist-info`, whose siblings are the distributions.
    const dists = await distributions(ctx, installed.sitePackages ?? p.dirname(installed.location));
    for (const name of names) {
      const d = dists.get(normalizeName(name));
      if (d) out[name] = d.version;
    }
  }
  return out;
}
