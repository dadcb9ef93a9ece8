import * as assert from 'node:assert/strict';
import { parseHttpCommandLine } from '../../../src/cli/commands/httpOptions';
import { CliIo, UsageError } from '../../../src/cli/io';

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: { PATH: '/usr/bin' }, cwd: '/srv' };

describe('run --http / ensure --http command line', () => {
  it('parses the listen address, options and the server command', () => {
    const cl = parseHttpCommandLine(
      'run',
      [
        '--http',
        '--listen',
        '127.0.0.1:3001',
        '--upstream-port',
        '4000',
        '--allow-origin',
        'https://a.example',
        '--',
        'node',
        'server.js',
        '--port',
        '{port}',
      ],
      io,
    );
    assert.equal(cl.host, '127.0.0.1');
    assert.equal(cl.port, 3001);
    assert.equal(cl.upstreamPort, 4000);
    assert.deepEqual(cl.allowedOrigins, ['https://a.example']);
    assert.deepEqual(cl.launch, { command: 'node', args: ['server.js', '--port', '{port}'], cwd: '/srv', env: io.env });
    assert.equal(cl.path, '/mcp');
    assert.equal(cl.maxBodyBytes, 4 * 1024 * 1024);
  });

  it('takes an IPv6 loopback in brackets', () => {
    const cl = parseHttpCommandLine('run', ['--http', '--listen', '[::1]:8080', '--', 'srv'], io);
    assert.equal(cl.host, '::1');
    assert.equal(cl.port, 8080);
  });

  it("hands its own options, not the caller's, to the guard it starts", () => {
    const cl = parseHttpCommandLine(
      'ensure',
      ['--http', '--listen', '127.0.0.1:3001', '--timeout', '30', '--stop-grace', '2', '--', 'srv'],
      io,
      { timeout: { type: 'string', default: '120' } },
    );
    assert.equal(cl.extra.timeout, '30');
    assert.deepEqual(cl.optionArgs, ['--http', '--listen', '127.0.0.1:3001', '--stop-grace', '2']);
  });

  it('refuses what it cannot honour, with a usage error', () => {
    const bad: string[][] = [
      ['--listen', '127.0.0.1:3001', '--', 'srv'],
      ['--http', '--', 'srv'],
      ['--http', '--listen', '127.0.0.1', '--', 'srv'],
      ['--http', '--listen', '127.0.0.1:70000', '--', 'srv'],
      ['--http', '--listen', '0.0.0.0:3001', '--', 'srv'],
      ['--http', '--listen', '127.0.0.1:3001', '--when-stale', 'refuse-all', '--', 'srv'],
      ['--http', '--listen', '127.0.0.1:3001', '--path', 'mcp', '--', 'srv'],
      ['--http', '--listen', '127.0.0.1:3001'],
    ];
    for (const args of bad) assert.throws(() => parseHttpCommandLine('run', args, io), UsageError, args.join(' '));
    assert.equal(
      parseHttpCommandLine('run', ['--http', '--allow-remote', '--listen', '0.0.0.0:3001', '--', 'srv'], io).host,
      '0.0.0.0',
    );
  });
});
