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
      return packageInPath(target.script) ?? baseName(target.script);
    case 'program':
      return packageInPath(target.program) ?? baseName(target.program);
    default:
      return effective[0] !== undefined ? baseName(effective[0]) : undefined;
  }
}
