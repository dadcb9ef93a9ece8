import { optionTable } from '../options';

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
    '--from', '-w', '--with', '--with-editable', '--with-requirements', '-c', '--constraints', '--constraint', '--overrides', '--override', '-b', '--build-constraints',
    '-p', '--python', '--index', '--default-index', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '--index-strategy', '--keyring-provider',
    '--resolution', '--prerelease', '--fork-strategy', '--exclude-newer', '--exclude-newer-package', '--no-build-isolation-package', '-C', '--config-setting',
    '--config-settings-package', '--link-mode', '--refresh-package', '--reinstall-package', '-P', '--upgrade-package', '--no-build-package', '--no-binary-package',
    '--env-file', '--cache-dir', '--directory', '--project', '--config-file', '--color', '--python-preference', '--allow-insecure-host', '--torch-backend',
    '--extra', '--no-extra', '--group', '--no-group', '--only-group', '--package',
    '--python-platform', '--upgrade-group', '--prerelease-package', '--no-sources-package', '--no-editable-package',
  ],
  flag: ['--isolated', '--offline', '-q', '--quiet', '-v', '--verbose', '-n', '--no-cache', '--refresh', '--reinstall', '-U', '--upgrade', '--no-build', '--no-binary', '--no-sources', '--no-config', '--no-progress', '--native-tls', '--no-python-downloads', '--managed-python', '--no-managed-python', '--no-project', '--no-sync', '--frozen', '--locked', '--all-extras', '-m', '--module', '-s', '--script'],
});

/** `pipx run [options] app`, from `pipx run --help` (checked against pipx 1.18.4's, as UV is). */
export const PIPX_RUN = optionTable({
  value: ['--spec', '--python', '-i', '--index-url', '--pip-args', '--backend', '--python-args', '--with', '--fetch-python', '--cooldown'],
  flag: ['--no-cache', '--path', '--pypackages', '--system-site-packages', '--editable', '-e', '--fetch-missing-python', '-v', '--verbose', '-q', '--quiet'],
});
