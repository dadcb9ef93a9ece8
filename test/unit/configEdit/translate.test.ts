import * as assert from 'node:assert/strict';
import { wrapSupport } from '../../../src/core/configEdit/guardCommand';
import { sharePlan } from '../../../src/core/configEdit/sharePlan';
import { Translate } from '../../../src/core/configEdit/translate';
import { computeUnwrap, computeWrap, entryFormatFor } from '../../../src/core/configEdit/wrapEdit';
import { server } from '../extension/fixtures';

/** A translator that marks what it worded, as a pseudo-locale does. */
const marked: Translate = (m, ...a) => `«${m.replace(/\{(\d+)\}/g, (_, i: string) => String(a[Number(i)]))}»`;
const GUARD = { command: '/g/mcp-lifeguard' };

describe('config editors: every reason is worded by the translator the face hands in', () => {
  it('JSONC, TOML and YAML reasons, unwrap, wrap support and the share plan go through it; English without one', () => {
    const broken = computeWrap('{ "a": ', ['mcpServers', 'x'], 'x', GUARD, entryFormatFor('c.json'), { t: marked });
    assert.deepEqual(broken, {
      kind: 'error',
      reason: '«the file has syntax errors (see Problems); fix them first»',
    });
    const toml = computeWrap('[other]\n', ['mcp_servers', 'x'], 'x', GUARD, entryFormatFor('c.toml'), { t: marked });
    assert.ok(toml.kind === 'error' && /^«no server entry at mcp_servers\.x»$/.test(toml.reason), JSON.stringify(toml));
    const yaml = computeUnwrap(
      'mcpServers:\n  - name: x\n    command: npx\n',
      ['mcpServers', 0],
      entryFormatFor('c.yaml'),
      marked,
    );
    assert.deepEqual(yaml, { kind: 'error', reason: '«the server does not run through the guard»' });
    assert.deepEqual(wrapSupport(server('h', { transport: 'http' }), marked), {
      supported: false,
      reason: '«only stdio servers can be wrapped; HTTP servers are reached over the network»',
    });
    const wrapped = server('w', { command: '/g/mcp-lifeguard', args: ['run', '--', 'npx'] });
    assert.equal(
      sharePlan([wrapped], wrapped, undefined, marked).steps[0].rewrite === false &&
        (sharePlan([wrapped], wrapped, undefined, marked).steps[0] as { reason: string }).reason,
      '«it already starts through the guard»',
    );
    const english = computeWrap('{ "a": ', ['mcpServers', 'x'], 'x', GUARD);
    assert.ok(english.kind === 'error' && english.reason.startsWith('the file has syntax errors'));
  });
});
