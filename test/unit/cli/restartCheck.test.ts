import * as assert from 'node:assert/strict';
import { parse } from 'jsonc-parser';
import { restartCheckOf } from '../../../src/cli/commands/guardOptions';
import { parseHttpCommandLine } from '../../../src/cli/commands/httpOptions';
import type { CliIo } from '../../../src/cli/io';
import { RUN_COMMAND } from '../../../src/cli/commands/runSpec';
import { parseOptions, splitServerCommand } from '../../../src/cli/options';
import { computeWrap } from '../../../src/core/configEdit/wrapEdit';

const io: CliIo = { cwd: '/tmp', env: {}, stdout: () => undefined, stderr: () => undefined };

describe('run --restart-check', () => {
  it('predicts by default: only a server its entry declares safe to run twice (probe) is started beside itself', () => {
    assert.equal(restartCheckOf(undefined), 'predict');
    assert.equal(restartCheckOf('predict'), 'predict');
    assert.equal(restartCheckOf('none'), 'predict', 'what earlier entries say: never beside either');
    assert.equal(restartCheckOf('probe'), 'probe');
  });

  it('run --http predicts by default too', () => {
    const http = (extra: string[]) =>
      parseHttpCommandLine('run', ['--http', '--listen', '127.0.0.1:3001', ...extra, '--', 'srv'], io).restartCheck;
    assert.equal(http([]), 'predict');
    assert.equal(http(['--restart-check', 'probe']), 'probe');
  });

  it('an entry wrap writes (plain or shared) runs with the default check: never two copies', () => {
    const config = '{ "servers": { "db": { "command": "node", "args": ["db.js"] } } }';
    for (const options of [{}, { share: true }, { idleStopSeconds: 600 }]) {
      const r = computeWrap(config, ['servers', 'db'], 'db', { command: '/bin/mcp-lifeguard' }, undefined, options);
      assert.equal(r.kind, 'ok');
      if (r.kind !== 'ok') return;
      const args = (parse(r.text) as { servers: { db: { args: string[] } } }).servers.db.args;
      assert.equal(args[0], 'run');
      const { values } = parseOptions(splitServerCommand(args.slice(1)).options, RUN_COMMAND.options);
      assert.equal(values['restart-check'], undefined, 'wrap writes no check');
      assert.equal(restartCheckOf(values['restart-check']), 'predict');
    }
  });

  it('takes predict, probe or none, and names the choices otherwise', () => {
    assert.equal(parseOptions(['--restart-check', 'none'], RUN_COMMAND.options).values['restart-check'], 'none');
    assert.equal(parseOptions(['--restart-check', 'predict'], RUN_COMMAND.options).values['restart-check'], 'predict');
    assert.throws(
      () => parseOptions(['--restart-check', 'maybe'], RUN_COMMAND.options),
      /predict, probe, none|predict\|probe\|none/,
    );
  });
});
