import * as assert from 'node:assert/strict';
import { parseRecord, serializeRecord } from '../../../src/core/locks/record';
import type { LockRecord } from '../../../src/core/locks/types';

const valid: LockRecord = {
  protocol: 1,
  pid: 4242,
  startTime: 1795271243650,
  serverName: 'memory',
  resourceKey: '/data',
  command: ['node', 'server.js'],
  cwd: '/w',
  startedAt: '2026-11-21T14:27:24.367Z',
};

function reasonOf(text: string): string {
  const parsed = parseRecord(text);
  assert.equal(parsed.ok, false, `expected ${JSON.stringify(text)} to be refused`);
  return parsed.ok ? '' : parsed.reason;
}

describe('locks: record format', () => {
  it('round-trips a record', () => {
    assert.deepEqual(parseRecord(serializeRecord(valid)), { ok: true, record: valid });
  });

  it('names what is wrong with an empty, torn or garbage record', () => {
    assert.match(reasonOf(''), /empty/);
    assert.match(reasonOf('  \n'), /empty/);
    assert.match(reasonOf(serializeRecord(valid).slice(0, 40)), /not valid JSON/);
    assert.match(reasonOf('\u0000\u0000garbage'), /not valid JSON/);
    assert.match(reasonOf('[1,2]'), /not a JSON object/);
    assert.match(reasonOf('null'), /not a JSON object/);
  });

  it('refuses records it could not judge: pid 0 or negative (process groups), no start time', () => {
    assert.match(reasonOf(JSON.stringify({ ...valid, pid: 0 })), /"pid"/);
    assert.match(reasonOf(JSON.stringify({ ...valid, pid: -1 })), /"pid"/);
    assert.match(reasonOf(JSON.stringify({ ...valid, pid: '12' })), /"pid"/);
    assert.match(reasonOf(JSON.stringify({ ...valid, startTime: null })), /"startTime"/);
    assert.match(reasonOf(JSON.stringify({ ...valid, protocol: 0 })), /"protocol"/);
    assert.match(reasonOf(JSON.stringify({ ...valid, serverName: 3 })), /serverName/);
  });

  it('accepts a later protocol version: pid and startTime keep their meaning', () => {
    const parsed = parseRecord(JSON.stringify({ ...valid, protocol: 2, newField: true }));
    assert.equal(parsed.ok, true);
  });
});
