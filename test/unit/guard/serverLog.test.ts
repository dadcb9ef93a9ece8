import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServerLog } from '../../../src/guard/host/serverLog';
import { makeTempDir } from '../../support/temp';

describe('guard: the server log file', () => {
  it('rotates at its bound: the file never passes it, one older file is kept, the newest bytes are in the file', () => {
    const root = makeTempDir('server-log');
    fs.chmodSync(root, 0o700);
    const file = path.join(root, 'logs', 'x.stderr.log');
    const errors: string[] = [];
    const log = new ServerLog(file, root, (m) => errors.push(m), 1000);
    for (let i = 0; i < 50; i++) log.write(Buffer.from(`line ${String(i).padStart(3, '0')} ${'x'.repeat(90)}\n`));
    log.close();
    assert.equal(errors.length, 0, errors.join('\n'));
    assert.ok(fs.statSync(file).size <= 1000, `${fs.statSync(file).size} bytes`);
    assert.ok(fs.statSync(`${file}.1`).size <= 1000);
    assert.match(fs.readFileSync(file, 'utf8'), /line 049/);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['x.stderr.log', 'x.stderr.log.1']);
    // A chunk larger than the bound keeps its end.
    const big = new ServerLog(file, root, (m) => errors.push(m), 1000);
    big.write(Buffer.from(`${'a'.repeat(5000)}THE END\n`));
    big.close();
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('THE END\n'));
    assert.ok(fs.statSync(file).size <= 1000);
  });

  it('never writes through a link: it gives up once, saying why', () => {
    const root = makeTempDir('server-log-link');
    fs.chmodSync(root, 0o700);
    fs.mkdirSync(path.join(root, 'logs'), { mode: 0o700 });
    const target = path.join(root, 'elsewhere.txt');
    fs.writeFileSync(target, 'untouched\n');
    const file = path.join(root, 'logs', 'x.stderr.log');
    fs.symlinkSync(target, file);
    const errors: string[] = [];
    const log = new ServerLog(file, root, (m) => errors.push(m), 1000);
    log.write(Buffer.from('secret-free text\n'));
    log.write(Buffer.from('more\n'));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /x\.stderr\.log cannot be written/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'untouched\n');
  });
});
