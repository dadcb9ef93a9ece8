import { pathFor } from '../base/hostEnv';
import type { StartRisk } from '../base/versionTypes';
import type { PackageImport, ResolveContext, ScriptPackagesRead } from './lookup';
import { exportsAllow, packageOfSpecifier } from './nodeImports';
import { findDependency, importsEnvironment, treeRootOf, type Found } from './nodeTree';

/**
 * What a loose JavaScript script's files import by package name, read now: each package found as
 * Node finds it (the nearest node_modules up from the importing file), the closure of those in the
 * project's tree, and the subpaths their `exports` no longer allow (a restart that will fail). Read
 * for every resolution of such a script (nodeScript.ts): a snapshot's and the guard's judgement of
 * its own child, so the two give one verdict.
 */

/**
 * Each package a file loads, looked up from that file's folder; undefined when none is found. (A
 * package not found is no proof: a runner's path aliases and NODE_PATH find what node_modules does not hold.)
 */
export async function readScriptPackages(
  ctx: ResolveContext,
  imports: readonly PackageImport[],
): Promise<ScriptPackagesRead | undefined> {
  const p = pathFor(ctx.host);
  let project: string | undefined;
  const found = new Map<string, Found>();
  const startRisks: StartRisk[] = [];
  const said = new Set<string>();
  for (const { from, spec } of imports) {
    const pkg = packageOfSpecifier(spec);
    const at = pkg && (await findDependency(ctx, p.dirname(from), pkg.name));
    if (!pkg || !at) continue;
    const root = treeRootOf(ctx, at.dir);
    project ??= root;
    if (root === project) found.set(pkg.name, at);
    if (said.has(spec) || exportsAllow(at.json.exports, pkg.subpath)) continue;
    said.add(spec);
    startRisks.push({
      module: spec,
      package: pkg.name,
      version: at.version,
      why: 'missing',
      summary: `${pkg.name} ${at.version} does not export ${pkg.subpath} (imported by ${p.basename(from)})`,
    });
  }
  const names = [...found.keys()];
  if (project === undefined || !names.length) return undefined;
  const tree = await importsEnvironment(ctx, project, names);
  const versions = names.map((n) => `${n} ${found.get(n)!.version}`).join(', ');
  return {
    how: `, importing ${versions} from ${p.join(project, 'node_modules')}`,
    fields: {
      nodeProject: { dir: project, imports: names },
      ...(tree.environment ? { environment: tree.environment, closureTimes: tree.times } : {}),
      ...(startRisks.length ? { startRisks } : {}),
    },
  };
}
