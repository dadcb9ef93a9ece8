import * as assert from 'node:assert/strict';
import {
  hostHeaderAllowed,
  httpUrl,
  isLoopbackAddress,
  isLoopbackBindHost,
  isLoopbackHostname,
  namesThisMachine,
  originAllowed,
  splitListenAddress,
} from '../../../src/core/net/loopback';

/**
 * One row per form: what each question answers.
 * address: a socket address as Node reports it; hostname: a URL hostname or Host header;
 * bind: allowed for --listen without --allow-remote; machine: a URL with it reaches this machine.
 */
const table: Array<{ form: string; address: boolean; hostname: boolean; bind: boolean; machine: boolean }> = [
  { form: '127.0.0.1', address: true, hostname: true, bind: true, machine: true },
  { form: '127.0.0.2', address: true, hostname: true, bind: true, machine: true },
  { form: '127.255.255.254', address: true, hostname: true, bind: true, machine: true },
  { form: '127.999.0.1', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1:3000', address: false, hostname: true, bind: false, machine: true },
  { form: '::1', address: true, hostname: true, bind: true, machine: true },
  { form: '0:0:0:0:0:0:0:1', address: true, hostname: true, bind: true, machine: true },
  { form: '[::1]', address: false, hostname: true, bind: false, machine: true },
  { form: '[::1]:3000', address: false, hostname: true, bind: false, machine: true },
  { form: '[0:0:0:0:0:0:0:1]', address: false, hostname: true, bind: false, machine: true },
  { form: '::ffff:127.0.0.1', address: true, hostname: true, bind: true, machine: true },
  { form: '::FFFF:127.0.0.1', address: true, hostname: true, bind: true, machine: true },
  { form: '::ffff:7f00:1', address: true, hostname: true, bind: true, machine: true },
  { form: '[::ffff:127.0.0.1]', address: false, hostname: true, bind: false, machine: true },
  { form: '[::ffff:127.0.0.1]:8080', address: false, hostname: true, bind: false, machine: true },
  { form: '::ffff:10.0.0.1', address: false, hostname: false, bind: false, machine: false },
  { form: '::127.0.0.1', address: false, hostname: false, bind: false, machine: false },
  { form: '::1%lo', address: false, hostname: false, bind: false, machine: false },
  { form: 'localhost', address: false, hostname: true, bind: true, machine: true },
  { form: 'localhost:3000', address: false, hostname: true, bind: false, machine: true },
  { form: 'LOCALHOST', address: false, hostname: true, bind: true, machine: true },
  { form: 'Localhost:80', address: false, hostname: true, bind: false, machine: true },
  { form: 'localhost.', address: false, hostname: false, bind: false, machine: false },
  { form: 'foo.localhost', address: false, hostname: true, bind: false, machine: true },
  { form: 'app.foo.localhost:6274', address: false, hostname: true, bind: false, machine: true },
  { form: 'localhost.evil.example', address: false, hostname: false, bind: false, machine: false },
  { form: 'evillocalhost', address: false, hostname: false, bind: false, machine: false },
  // The URL parser reads these as 127.0.0.1, and so do browsers; to the system resolver they are names.
  { form: '127.1', address: false, hostname: true, bind: false, machine: true },
  { form: '0x7f.1', address: false, hostname: true, bind: false, machine: true },
  { form: '2130706433', address: false, hostname: true, bind: false, machine: true },
  { form: 'evil.com:80@127.0.0.1', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1@evil.com', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1/evil', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1\\evil', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1?x', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1#x', address: false, hostname: false, bind: false, machine: false },
  { form: 'local\nhost', address: false, hostname: false, bind: false, machine: false },
  { form: ' localhost', address: false, hostname: false, bind: false, machine: false },
  { form: '127.0.0.1.nip.io', address: false, hostname: false, bind: false, machine: false },
  { form: '127.evil.com', address: false, hostname: false, bind: false, machine: false },
  { form: '0.0.0.0', address: false, hostname: false, bind: false, machine: true },
  { form: '0.0.0.0:3000', address: false, hostname: false, bind: false, machine: true },
  { form: '::', address: false, hostname: false, bind: false, machine: true },
  { form: '[::]', address: false, hostname: false, bind: false, machine: true },
  { form: '[::]:3000', address: false, hostname: false, bind: false, machine: true },
  { form: '10.0.0.1', address: false, hostname: false, bind: false, machine: false },
  { form: '::ffff:0.0.0.0', address: false, hostname: false, bind: false, machine: false },
  { form: 'evil.example', address: false, hostname: false, bind: false, machine: false },
  { form: '', address: false, hostname: false, bind: false, machine: false },
  { form: ':3000', address: false, hostname: false, bind: false, machine: false },
  { form: 'garbage!!', address: false, hostname: false, bind: false, machine: false },
  { form: '[::1', address: false, hostname: false, bind: false, machine: false },
  { form: 'localhost:99999', address: false, hostname: false, bind: false, machine: false },
  { form: 'localhost:http', address: false, hostname: false, bind: false, machine: false },
];

describe('loopback policy', () => {
  it('isLoopbackAddress: 127.0.0.0/8, ::1 and IPv4-mapped 127.x, as Node reports them', () => {
    for (const row of table) assert.equal(isLoopbackAddress(row.form), row.address, JSON.stringify(row.form));
  });

  it('isLoopbackHostname: loopback addresses, localhost and *.localhost, bracketed IPv6, with a port', () => {
    for (const row of table) assert.equal(isLoopbackHostname(row.form), row.hostname, JSON.stringify(row.form));
  });

  it('isLoopbackBindHost: only a loopback address or the name localhost may be bound without --allow-remote', () => {
    for (const row of table) assert.equal(isLoopbackBindHost(row.form), row.bind, JSON.stringify(row.form));
  });

  it('namesThisMachine: loopback names and the unspecified addresses', () => {
    for (const row of table) assert.equal(namesThisMachine(row.form), row.machine, JSON.stringify(row.form));
  });

  describe('hostHeaderAllowed', () => {
    it('when bound to loopback (by address or name), Host must name loopback', () => {
      for (const listen of ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost', '127.0.0.5']) {
        for (const row of table)
          assert.equal(hostHeaderAllowed(row.form, listen), row.hostname, `${listen} ${JSON.stringify(row.form)}`);
      }
    });

    it('a request without Host passes (HTTP/1.0 clients); browsers always send one', () => {
      assert.equal(hostHeaderAllowed(undefined, '127.0.0.1'), true);
    });

    it('when bound to another address (--allow-remote), any Host passes', () => {
      for (const listen of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) {
        assert.equal(hostHeaderAllowed('attacker.example:3001', listen), true, listen);
        assert.equal(hostHeaderAllowed('', listen), true, listen);
      }
    });
  });

  describe('originAllowed', () => {
    const allow = ['https://app.example'];

    it('allows listed origins exactly as written and loopback ones', () => {
      for (const origin of [
        'https://app.example',
        'http://localhost:6274',
        'http://LOCALHOST:6274',
        'http://127.0.0.1',
        'http://[::1]:80',
        'http://[::ffff:127.0.0.1]:3000',
        'https://127.1',
        'http://app.localhost:5173',
      ]) {
        assert.equal(originAllowed(origin, allow), true, origin);
      }
    });

    it('refuses foreign, garbled, opaque and disguised origins', () => {
      for (const origin of [
        'https://evil.example',
        'null',
        '',
        'garbage',
        'http://127.0.0.1.evil.example',
        'http://127.0.0.1.nip.io',
        'http://localhost.',
        'http://evil.com:80@127.0.0.1',
        'http://127.0.0.1/path',
        'http://127.0.0.1?x',
        'http://0.0.0.0',
        'http://[::]',
        'file://',
        'https://app.example/',
        'https://APP.example',
      ]) {
        assert.equal(originAllowed(origin, allow), false, origin);
      }
    });
  });
});

describe('httpUrl: the URL of a listen address', () => {
  it('brackets an IPv6 host, and reads back as the listen address it came from', () => {
    for (const [host, port, url] of [
      ['127.0.0.1', 3310, 'http://127.0.0.1:3310/mcp'],
      ['::1', 3310, 'http://[::1]:3310/mcp'],
      ['localhost', 8080, 'http://localhost:8080/mcp'],
    ] as const) {
      assert.equal(httpUrl(host, port, '/mcp'), url);
      assert.deepEqual(splitListenAddress(new URL(url).host), { host, port });
    }
  });
});
