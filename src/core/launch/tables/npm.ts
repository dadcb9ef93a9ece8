import { optionTable } from '../options';

/** `npx` / `npm exec` / `npm x`, from `npm help exec` and the npm config options a launch line uses. */
export const NPM_EXEC = optionTable({
  value: [
    '-p',
    '--package',
    '-c',
    '--call',
    '-w',
    '--workspace',
    '--registry',
    '--cache',
    '--userconfig',
    '--prefix',
    '--loglevel',
    '--location',
    '--node-options',
    '--script-shell',
  ],
  flag: [
    '-y',
    '--yes',
    '--no',
    '--workspaces',
    '--include-workspace-root',
    '--prefer-offline',
    '--prefer-online',
    '--offline',
    '-q',
    '--quiet',
    '--silent',
  ],
});

/** `pnpm dlx` / `pnpx`, from `pnpm dlx --help`. */
export const PNPM_DLX = optionTable({
  value: ['--package', '--allow-build', '--reporter', '-C', '--dir', '--registry'],
  flag: ['-c', '--shell-mode', '-s', '--silent'],
});

/** `yarn dlx`, from `yarn dlx --help`. */
export const YARN_DLX = optionTable({ value: ['-p', '--package'], flag: ['-q', '--quiet'] });

/** `bunx` / `bun x`, from `bunx --help`. */
export const BUNX = optionTable({
  value: ['-p', '--package'],
  flag: ['--bun', '--no-install', '--verbose', '--silent'],
});
