import { parseLaunch } from './parse';

/** The last path segment (either separator), without a Windows executable extension; case kept. */
function baseName(token: string): string {
  return (token.split(/[/\\]/).pop() ?? token).replace(/\.(exe|cmd)$/i, '');
}

/** The npm package a path lies in (`/x/node_modules/@scope/pkg/dist/cli.js` -> `@scope/pkg`). */
function packageInPath(p: string): string | undefined {
  // `node_modules/.bin/x` is npm's link to a package's bin, not a package: its name says more.
  const m = /node_modules[/\\](?!\.bin[/\\])((?:@[^/\\]+[/\\])?[^/\\]+)(?=[/\\])/.exec(p);
  return m ? m[1].replace(/\\/g, '/') : undefined;
}

/** File names that say nothing about what a script is: every server has one. */
const GENERIC_SCRIPT = /^(index|main|server|app|cli|run|start|__main__|mcp|mcp[-_]server)\.(m?[jt]s|c[jt]s|py)$/i;
/** Folders a project keeps its code in, under the folder named after it. */
const CODE_FOLDER = /^(dist|build|out|lib|src|bin|app)$/i;

/**
 * A script as a person names it: `index.js`, `main.py` or `server.py` is any server's, so the
 * folder it lies in names it (`~/mcp-server-weather/dist/index.js` is `mcp-server-weather`),
 * past the `dist`, `src`... folders a project keeps its code in; any other file name as it is.
 */
function scriptName(script: string): string {
  const parts = script.split(/[/\\]/).filter((p) => p !== '');
  const file = parts.pop() ?? script;
  if (!GENERIC_SCRIPT.test(file)) return baseName(file);
  while (parts.length > 1 && CODE_FOLDER.test(parts[parts.length - 1])) parts.pop();
  return parts.length > 0 && !CODE_FOLDER.test(parts[parts.length - 1]) ? parts[parts.length - 1] : file;
}

/**
 * What a launch runs, in a few words, as the one launch parser reads it: a package or image name, a
 * Python module, the npm package a script lies in, else the script's or program's file name.
 */
export function describeLaunch(argv: readonly string[]): string | undefined {
  const { effective, target } = parseLaunch(argv);
  switch (target.kind) {
    case 'package':
      return target.name;
    case 'image':
      return target.image.split('@')[0];
    case 'module':
      return target.module;
    case 'script':
      return packageInPath(target.script) ?? scriptName(target.script);
    case 'program':
      return packageInPath(target.program) ?? baseName(target.program);
    default:
      return effective[0] !== undefined ? baseName(effective[0]) : undefined;
  }
}
