import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { english, t, useTranslator } from '../../../src/extension/viewModel/l10n';
import { repoRoot } from '../../support/repo';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8'));

/** Every place of the manifest whose text a person reads, with its path for the message. */
function userFacing(): Array<[string, unknown]> {
  const c = manifest.contributes;
  const out: Array<[string, unknown]> = [
    ['displayName', manifest.displayName],
    ['description', manifest.description],
    ['capabilities.untrustedWorkspaces.description', manifest.capabilities.untrustedWorkspaces.description],
  ];
  for (const cmd of c.commands)
    out.push([`${cmd.command}.title`, cmd.title], [`${cmd.command}.category`, cmd.category]);
  for (const v of c.viewsContainers.activitybar) out.push([`${v.id}.title`, v.title]);
  for (const v of Object.values(c.views).flat() as Array<{ id: string; name: string; contextualTitle?: string }>) {
    out.push([`${v.id}.name`, v.name]);
    if (v.contextualTitle) out.push([`${v.id}.contextualTitle`, v.contextualTitle]);
  }
  for (const w of c.viewsWelcome) out.push([`${w.view}.welcome`, w.contents]);
  out.push(['configuration.title', c.configuration.title]);
  for (const [key, prop] of Object.entries(c.configuration.properties) as Array<
    [string, Record<string, unknown> & { items?: Record<string, unknown> }]
  >) {
    for (const f of ['markdownDescription', 'description', 'deprecationMessage', 'markdownDeprecationMessage'])
      if (prop[f] !== undefined) out.push([`${key}.${f}`, prop[f]]);
    for (const holder of [prop, prop.items])
      for (const f of ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels'])
        for (const [i, v] of ((holder?.[f] as unknown[]) ?? []).entries()) out.push([`${key}.${f}[${i}]`, v]);
  }
  for (const d of c.mcpServerDefinitionProviders) out.push([`${d.id}.label`, d.label]);
  return out;
}

describe('localisation', () => {
  it('every user-facing string of the manifest is a %key% of package.nls.json, and every key is used', () => {
    const used = new Set<string>();
    for (const [where, value] of userFacing()) {
      assert.equal(typeof value, 'string', where);
      const m = /^%([^%]+)%$/.exec(value as string);
      assert.ok(m, `${where} is literal: ${JSON.stringify(value)}`);
      assert.ok(typeof nls[m[1]] === 'string' && nls[m[1]].length > 0, `${where}: ${m[1]} is not in package.nls.json`);
      used.add(m[1]);
    }
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
    );
  });

  it('the runtime bundle folder is declared and shipped, and l10n/bundle.l10n.json lists every message of src/extension', async () => {
    assert.equal(manifest.l10n, './l10n');
    const ignore = fs.readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(
      ignore.includes('!package.nls.json') && ignore.includes('!l10n/**'),
      '.vscodeignore ships package.nls.json and l10n/',
    );
    const { extractMessages } = (await import(path.join(repoRoot, 'scripts', 'l10n.mjs'))) as {
      extractMessages(): { bundle: Record<string, string>; problems: string[] };
    };
    const { bundle, problems } = extractMessages();
    assert.deepEqual(problems, []);
    assert.deepEqual(
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')),
      bundle,
      'run node scripts/l10n.mjs',
    );
    assert.ok(Object.keys(bundle).length > 100, `${Object.keys(bundle).length} messages`);
  });

  it('t formats the English by default and goes through the translator activation installs', () => {
    assert.equal(t('{0} started: pid {1}.', 'memory', 4242), 'memory started: pid 4242.');
    assert.equal(english('{1} before {0}', 'a', 'b'), 'b before a');
    try {
      useTranslator((m, ...a) => `<${english(m, ...a)}>`);
      assert.equal(t('Stop {0}?', 'notes'), '<Stop notes?>');
    } finally {
      useTranslator(english);
    }
  });
});
