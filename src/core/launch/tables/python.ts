import { optionTable, OptionTable } from '../options';

/** `python [options] (-m module | -c code | script)`, from `python3 --help`. */
export const PYTHON = optionTable({
  value: ['-W', '-X', '-Q'],
  flag: ['-b', '-B', '-d', '-E', '-h', '-i', '-I', '-O', '-OO', '-P', '-q', '-R', '-s', '-S', '-u', '-v', '-V', '-x'],
  runs: ['-m', '-c'],
});

/**
 * `uvx` / `uv tool run` / `uv run` and uv's global options, from uv's CLI reference (`uv tool run
 * --help`, `uv run --help`; checked against the stored help of uv 0.13.9 in test/unit/launch/pythonTables.test.ts).
 * Listed: the options that take a value; every other option is a flag.
 */
export const UV = optionTable({
  value: [
    '--from',
    '-w',
    '--with',
    '--with-editable',
    '--with-requirements',
    '-c',
    '--constraints',
    '--constraint',
    '--overrides',
    '--override',
    '-b',
    '--build-constraints',
    '-p',
    '--python',
    '--index',
    '--default-index',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-f',
    '--find-links',
    '--index-strategy',
    '--keyring-provider',
    '--resolution',
    '--prerelease',
    '--fork-strategy',
    '--exclude-newer',
    '--exclude-newer-package',
    '--no-build-isolation-package',
    '-C',
    '--config-setting',
    '--config-settings-package',
    '--link-mode',
    '--refresh-package',
    '--reinstall-package',
    '-P',
    '--upgrade-package',
    '--no-build-package',
    '--no-binary-package',
    '--env-file',
    '--cache-dir',
    '--directory',
    '--project',
    '--config-file',
    '--color',
    '--python-preference',
    '--allow-insecure-host',
    '--torch-backend',
    '--extra',
    '--no-extra',
    '--group',
    '--no-group',
    '--only-group',
    '--package',
    '--python-platform',
    '--upgrade-group',
    '--prerelease-package',
    '--no-sources-package',
    '--no-editable-package',
  ],
  flag: [
    '--isolated',
    '--offline',
    '-q',
    '--quiet',
    '-v',
    '--verbose',
    '-n',
    '--no-cache',
    '--refresh',
    '--reinstall',
    '-U',
    '--upgrade',
    '--no-build',
    '--no-binary',
    '--no-sources',
    '--no-config',
    '--no-progress',
    '--native-tls',
    '--no-python-downloads',
    '--managed-python',
    '--no-managed-python',
    '--no-project',
    '--no-sync',
    '--frozen',
    '--locked',
    '--all-extras',
    '-m',
    '--module',
    '-s',
    '--script',
  ],
});

/** `pipx run [options] app`, from `pipx run --help` (checked against pipx 1.18.4's, as UV is). */
export const PIPX_RUN = optionTable({
  value: [
    '--spec',
    '--python',
    '-i',
    '--index-url',
    '--pip-args',
    '--backend',
    '--python-args',
    '--with',
    '--fetch-python',
    '--cooldown',
  ],
  flag: [
    '--no-cache',
    '--path',
    '--pypackages',
    '--system-site-packages',
    '--editable',
    '-e',
    '--fetch-missing-python',
    '-v',
    '--verbose',
    '-q',
    '--quiet',
  ],
});

/**
 * Project environment runners: `poetry run`, `pdm run` and `hatch run` run a command in the project's
 * own environment (`<project>/.venv`, poetry's `virtualenvs` cache, hatch's data folder). Their
 * global and `run` options that take a value (from `poetry --help`, `pdm run --help`, `hatch --help`);
 * `cwd`: those that move to a folder before running the command (poetry's `-C`; its `-P` names the
 * project but keeps the folder, so it is not one).
 */
export const PROJECT_RUNNERS: Readonly<Record<string, { table: OptionTable; cwd: readonly string[] }>> = {
  poetry: {
    table: optionTable({ value: ['-C', '--directory', '-P', '--project'] }),
    cwd: ['-C', '--directory'],
  },
  pdm: { table: optionTable({ value: ['-p', '--project', '-c', '--config', '--venv'] }), cwd: [] },
  hatch: {
    table: optionTable({ value: ['-e', '--env', '-p', '--project', '--data-dir', '--cache-dir', '--config'] }),
    cwd: [],
  },
};

/** The project runner a program is (`poetry`, `pdm`, `hatch`); undefined for any other name. */
export function projectRunnerOf(prog: string): (typeof PROJECT_RUNNERS)[string] | undefined {
  return Object.prototype.hasOwnProperty.call(PROJECT_RUNNERS, prog) ? PROJECT_RUNNERS[prog] : undefined;
}
