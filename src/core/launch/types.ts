/** What one launch command runs, as read by parseLaunch: the single reading matching and version resolution share. */

/**
 * Who fetches a package and runs it: the runners, deno for its `npm:` specifiers (`deno run
 * npm:pkg@1`), and `go run module@version`, which fetches the module, builds it and runs the binary.
 */
export type PackageRunner = 'npx' | 'pnpm-dlx' | 'yarn-dlx' | 'bunx' | 'deno' | 'uvx' | 'pipx-run' | 'go-run';

export type LaunchTarget =
  /**
   * A package a runner fetches and starts (`npx -y pkg@1`, `uvx --from pkg cmd`, `deno run npm:pkg@1`,
   * `go run example.com/x/cmd/srv@v1.2.3`: `name` the package path, `version` the query after `@`).
   */
  | {
      kind: 'package';
      runner: PackageRunner;
      ecosystem: 'npm' | 'python' | 'go';
      spec: string;
      name: string;
      version?: string;
      extras?: string[];
      cacheDir?: string;
      args: string[];
      /**
       * The program the runner starts from the package, when named apart from it (`pipx run --spec
       * pkg app` -> app, `npx -p pkg bin` -> bin).
       */
      command?: string;
    }
  /** A container image (`docker run -i --rm image args`). */
  | { kind: 'image'; engine: string; image: string; containerName?: string; args: string[] }
  /** A module an interpreter runs (`python -m pkg`). */
  | { kind: 'module'; module: string; args: string[] }
  /** Inline code an interpreter runs (`node -e code`, `python -c code`). */
  | { kind: 'inline'; code: string; args: string[] }
  /** A script an interpreter runs (`node dist/index.js`). */
  | { kind: 'script'; script: string; args: string[] }
  /** A program run as it is (`mcp-server-git`, `/opt/x/bin/srv`, or a bare interpreter or shell). */
  | { kind: 'program'; program: string; args: string[] }
  /** Nothing: an empty command, or a runner that names no package or image. */
  | { kind: 'none' };

export interface ParsedLaunch {
  /** The program the command starts first (`programName` of argv[0]). */
  program: string;
  /** The programs peeled off on the way to the target, outermost first (`cmd`, `env`, `sh`, `uv`, `node`). */
  launchers: string[];
  /** The interpreter token (`/a/.venv/bin/python`, `node`) when the target is a module, script or inline code. */
  interpreter?: string;
  /**
   * The argv from what runs on: the script, module or program and its arguments; for a package or
   * image, the runner's own argv (`npx -y pkg`), which names what it fetches.
   */
  effective: readonly string[];
  target: LaunchTarget;
  /**
   * The folder the launchers move to before the target runs (`cd d && ...`, `uv --directory d`,
   * `env -C d`, `npm --prefix d exec`), as written: relative to the launch's own working directory
   * when relative; `~` and `$VAR` are not expanded here.
   */
  cwd?: string;
  /**
   * Requirements a launcher installs into an environment of its own that it layers over the one the
   * target runs in (`uv run --with pkg==1.2 cmd`), as written: the target may be one of them.
   */
  layered?: readonly string[];
  /** Whether the process at argv[0] starts the target as a child (a shell, a runner, a watcher) rather than being it. */
  spawns: boolean;
  /** Whether a watcher runs it (`node --watch`, `tsx watch`, `nodemon`): the server is its current child. */
  watches: boolean;
}
