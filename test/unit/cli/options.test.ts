import * as assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/io';
import {
  commandHelp,
  optionSynopsis,
  OptionSpecs,
  parseOptions,
  secondsToMs,
  splitServerCommand,
  usageText,
  withoutOptions,
} from '../../../src/cli/options';
import { COMMANDS, runCli, USAGE } from '../../../src/cli/run';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { PATH: '/usr/bin' },
    cwd: '/',
  });
  return { code, stdout, stderr };
}

const SPECS = {
  json: { type: 'boolean', description: 'as JSON' },
  name: { type: 'string', description: 'a name' },
  mode: { type: 'string', default: 'a', choices: ['a', 'b'], description: 'a mode' },
  path: {
    type: 'string',
    default: '/x',
    check: (p: string) => (p.startsWith('/') ? undefined : 'must start with /'),
    description: 'a path',
  },
  tag: { type: 'repeatable', description: 'tags' },
  grace: { type: 'seconds', description: 'a grace' },
  wait: { type: 'seconds', default: 60, description: 'a wait' },
  every: { type: 'seconds', default: 2, positive: true, description: 'an interval' },
  limit: { type: 'integer', default: 3, min: 1, description: 'a limit' },
  port: { type: 'integer', min: 1, max: 65535, description: 'a port' },
} as const satisfies OptionSpecs;

/** The UsageError message `fn` throws. */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `not a UsageError: ${String(err)}`);
    return err.message;
  }
  assert.fail('no UsageError');
}

describe('CLI options', () => {
  it('gives defaults: false, [], the default or undefined; seconds in milliseconds', () => {
    const { values } = parseOptions([], SPECS);
    assert.deepEqual(values, {
      json: false,
      name: undefined,
      mode: 'a',
      path: '/x',
      tag: [],
      grace: undefined,
      wait: 60_000,
      every: 2000,
      limit: 3,
      port: undefined,
    });
  });

  it('parses each type, repeatables in order, fractions of seconds to whole milliseconds', () => {
    const { values } = parseOptions(
      [
        '--json',
        '--name',
        'n',
        '--mode=b',
        '--tag',
        'x',
        '--tag',
        'y',
        '--grace',
        '0.2',
        '--wait',
        '0',
        '--every',
        '1.5',
        '--limit',
        '7',
        '--port',
        '8080',
        '--path',
        '/mcp',
      ],
      SPECS,
    );
    assert.deepEqual(values, {
      json: true,
      name: 'n',
      mode: 'b',
      path: '/mcp',
      tag: ['x', 'y'],
      grace: 200,
      wait: 0,
      every: 1500,
      limit: 7,
      port: 8080,
    });
  });

  it('refuses a bad value with a UsageError naming the option and the value', () => {
    const cases: [string[], RegExp][] = [
      [['--grace', 'soon'], /--grace takes a number of seconds, not 'soon'/],
      [['--grace', '-1'], /--grace/],
      [['--grace='], /--grace takes a number of seconds, not ''/],
      [['--grace=-1'], /--grace takes a number of seconds, not '-1'/],
      [['--wait', 'Infinity'], /--wait takes a number of seconds, not 'Infinity'/],
      [['--every', '0'], /--every takes a number of seconds above 0, not '0'/],
      [['--every', '0.0001'], /--every .* not '0.0001'/],
      [['--limit', '0'], /--limit takes a whole number >= 1, not '0'/],
      [['--limit', '1.5'], /--limit takes a whole number >= 1, not '1.5'/],
      [['--port', '70000'], /--port takes a whole number from 1 to 65535, not '70000'/],
      [['--mode', 'c'], /--mode must be one of a, b, not 'c'/],
      [['--path', 'mcp'], /--path must start with \/, not 'mcp'/],
      [['--nope'], /'--nope'/],
      [['--name'], /--name/],
      [['stray'], /stray/],
    ];
    for (const [args, message] of cases)
      assert.match(
        usageError(() => parseOptions(args, SPECS)),
        message,
        args.join(' '),
      );
  });

  it('takes positionals only when the command does', () => {
    assert.deepEqual(parseOptions(['123', '--json'], SPECS, { positionals: true }).positionals, ['123']);
  });

  it('parses durations in one place: seconds to milliseconds, rounded', () => {
    assert.equal(secondsToMs('--x', '0.2'), 200);
    assert.equal(secondsToMs('--x', '5'), 5000);
    assert.equal(secondsToMs('--x', '0.0004'), 0);
    assert.throws(() => secondsToMs('--x', '0.0004', true), UsageError);
  });

  it('never reads what follows -- as options: it is the server command', () => {
    assert.deepEqual(splitServerCommand(['--name', 'a', '--', 'node', '--grace', 'x', '--', 'y']), {
      options: ['--name', 'a'],
      command: ['node', '--grace', 'x', '--', 'y'],
    });
    assert.deepEqual(splitServerCommand(['--json']), { options: ['--json'], command: [] });
  });

  it('writes each option with its value name, and the help with its description and default', () => {
    assert.equal(optionSynopsis('json', SPECS.json), '--json');
    assert.equal(optionSynopsis('wait', SPECS.wait), '--wait SECONDS');
    assert.equal(optionSynopsis('mode', SPECS.mode), '--mode a|b');
    assert.equal(optionSynopsis('tag', SPECS.tag), '--tag VALUE...');
    const help = commandHelp([{ name: 'demo', operands: 'PID', summary: ['Does a thing'], options: SPECS }]);
    assert.match(help, /^Usage: mcp-lifeguard demo PID \[options\]\n {2}Does a thing\n/);
    assert.match(help, /--wait SECONDS +a wait \(default 60 s\)/);
    const usage = usageText(
      [{ name: 'demo', serverCommand: true, summary: ['Does a thing'], options: SPECS }],
      'tail\n',
    );
    assert.match(usage, /demo \[options\] -- COMMAND \[ARGS\.\.\.\] +Does a thing/);
    assert.ok(usage.endsWith('tail\n'));
  });
});

describe('CLI usage text', () => {
  it('lists every command and every option each command takes', () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      assert.ok(USAGE.includes(`  ${name} `), `${name} missing from the usage`);
      const help = commandHelp(command.modes);
      for (const mode of command.modes) {
        for (const [option, spec] of Object.entries(mode.options)) {
          assert.ok(spec.description, `${mode.name} --${option} has no description`);
          assert.ok(
            help.includes(`  ${optionSynopsis(option, spec)}`),
            `${mode.name} --help does not list --${option}`,
          );
          // The overview lists each option, except those its synopsis already names (--http, --listen).
          if (!mode.implied?.includes(option))
            assert.match(
              USAGE,
              new RegExp(`(^|\\s)${optionSynopsis(option, spec).replace(/[|.]/g, '\\$&')}(\\s|$)`, 'm'),
              `the usage does not list ${mode.name} --${option}`,
            );
        }
      }
    }
  });
});

describe('CLI help', () => {
  it('every command that acts or reports has --json; --help and each COMMAND --help list the exit codes', async () => {
    const actsOrReports = ['status', 'stop', 'kill-duplicates', 'restart', 'locks', 'logs'];
    for (const name of actsOrReports)
      assert.ok(
        COMMANDS[name].modes.every((m) => 'json' in m.options),
        `${name} has no --json`,
      );
    for (const text of [USAGE, (await cli(['restart', '--help'])).stdout, (await cli(['logs', '--help'])).stdout]) {
      assert.match(text, /Exit codes:\n  0  Done[^\n]*\n/);
      assert.match(text, /\n  1  Ran, but not all of it was done/);
      assert.match(text, /\n  2  Not run: bad usage/);
    }
  });

  it('COMMAND --help prints the options of that command and exits 0', async () => {
    const r = await cli(['run', '--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /Usage: mcp-lifeguard run \[options\] -- COMMAND/);
    assert.match(r.stdout, /Usage: mcp-lifeguard run --http --listen HOST:PORT/);
    assert.match(r.stdout, /--stop-grace SECONDS +.*\(default 5 s\)/);
  });

  it('a --help after -- belongs to the server command; a bad value is a usage error naming it, exit 2', async () => {
    const r = await cli(['ensure', '--http', '--listen', '127.0.0.1:3001', '--timeout', 'soon', '--', 'srv', '--help']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^mcp-lifeguard ensure: --timeout takes a number of seconds above 0, not 'soon'\n/);
    assert.match(r.stderr, /Usage: mcp-lifeguard ensure --http/);
  });

  it('--help and no command print the overview', async () => {
    assert.deepEqual(await cli(['--help']), { code: 0, stdout: USAGE, stderr: '' });
    assert.equal((await cli([])).code, 2);
  });
});

describe('CLI options handed on', () => {
  it('leaves out the named options with their values, however written, and keeps the rest as given', () => {
    const args = ['--json', '--grace', '2', '--name=n', '--tag', 'a', '--limit=3', '--tag', 'b', '--every', '1'];
    assert.deepEqual(withoutOptions(args, SPECS, ['grace', 'limit', 'tag']), ['--json', '--name=n', '--every', '1']);
    assert.deepEqual(withoutOptions(['--json', '--name', 'n'], SPECS, ['json']), ['--name', 'n']);
  });
});
