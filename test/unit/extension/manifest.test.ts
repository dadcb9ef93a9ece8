import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CommandId, HIDDEN_FROM_PALETTE, VIEW_ID, EXPLORER_VIEW_ID } from '../../../src/extension/commandIds';
import {
  Cap,
  CapValue,
  contextValue,
  ITEM_MENUS,
  itemMenuEntries,
  NodeKind,
  NodeKindValue,
} from '../../../src/extension/viewModel/contextValues';
import { repoRoot } from '../../support/repo';
import { CLIENT_NAMES } from '../../../src/core/sources/clientNames';
import type { ClientId } from '../../../src/core/base/model';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8'));
/** The manifest as VS Code shows it in English: every `%key%` replaced from package.nls.json. */
const pkg = JSON.parse(JSON.stringify(manifest), (_k, v: unknown) =>
  typeof v === 'string' && /^%[^%]+%$/.test(v) ? (nls[v.slice(1, -1)] ?? v) : v,
);
const menus: Record<string, MenuEntry[]> = pkg.contributes.menus;

/** Evaluates the two clause forms our item menus use: `view =~ /re/` and `viewItem =~ /re/`, joined by &&. */
function evaluate(when: string, ctx: { view: string; viewItem: string }): boolean {
  return when.split('&&').every((clause) => {
    const m = /^\s*(view|viewItem)\s*=~\s*\/(.*)\/\s*$/.exec(clause);
    if (!m) throw new Error(`unsupported clause in a view/item/context menu: ${clause}`);
    return new RegExp(m[2]).test(ctx[m[1] as 'view' | 'viewItem']);
  });
}

const ALL_KINDS = Object.values(NodeKind) as NodeKindValue[];
const ALL_CAPS = Object.values(Cap) as CapValue[];

describe('extension manifest: menus, commands and contextValues agree', () => {
  it('view/item/context is exactly what ITEM_MENUS generates', () => {
    assert.deepEqual(menus['view/item/context'], itemMenuEntries());
  });

  it('each item menu shows on exactly the nodes whose contextValue has its kind and capability', () => {
    for (const m of menus['view/item/context']) {
      const spec = ITEM_MENUS.find((s) => s.command === m.command && s.group === m.group);
      assert.ok(spec, `menu ${m.command} ${m.group} has no ITEM_MENUS entry`);
      for (const kind of ALL_KINDS) {
        for (const cap of ALL_CAPS) {
          // The capability alone, and surrounded by others, so word boundaries are exercised.
          for (const caps of [[cap] as CapValue[], ALL_CAPS.filter((c) => c !== spec.cap).concat(cap)]) {
            const cv = contextValue(kind, caps);
            const expected: boolean = spec.kinds.includes(kind) && cap === spec.cap;
            for (const view of [VIEW_ID, EXPLORER_VIEW_ID])
              assert.equal(evaluate(m.when!, { view, viewItem: cv }), expected, `${m.command} on "${cv}"`);
          }
          const without = contextValue(
            kind,
            ALL_CAPS.filter((c) => c !== spec.cap),
          );
          assert.equal(evaluate(m.when!, { view: VIEW_ID, viewItem: without }), false, `${m.command} on "${without}"`);
        }
      }
      assert.equal(
        evaluate(m.when!, { view: 'otherExtension.view', viewItem: contextValue(spec.kinds[0], [spec.cap]) }),
        false,
      );
    }
  });

  it('a capability name that contains another is not mistaken for it', () => {
    const wrapWhen = itemMenuEntries().find((m) => m.command === CommandId.wrapWithGuard)!.when;
    assert.equal(evaluate(wrapWhen, { view: VIEW_ID, viewItem: 'mcpServer unwrap' }), false);
    assert.equal(evaluate(wrapWhen, { view: VIEW_ID, viewItem: 'mcpServer unwrap wrap' }), true);
  });

  it('every command id is contributed, with the category, and every contributed command has an id', () => {
    const contributed = pkg.contributes.commands as { command: string; category: string }[];
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(CommandId).sort());
    for (const c of contributed) assert.equal(c.category, 'MCP Lifeguard');
  });

  it('tree-only commands and Show MCP Servers (VS Code lists the view already) are hidden from the Command Palette; palette commands are not', () => {
    const hidden = new Set(menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    assert.deepEqual([...hidden].sort(), [...HIDDEN_FROM_PALETTE].sort());
    for (const c of [
      CommandId.restartServer,
      CommandId.restartAllStale,
      CommandId.killDuplicates,
      CommandId.refresh,
      CommandId.wrapWithGuard,
      CommandId.showLog,
      CommandId.stopServer,
      CommandId.unwrapGuard,
      CommandId.filterClients,
      CommandId.showHiddenProcesses,
    ]) {
      assert.ok(!hidden.has(c), c);
    }
    // Unwrap is offered while an entry runs through the guard; it then asks which one (wrapped servers only).
    assert.deepEqual(
      menus.commandPalette.find((m) => m.command === CommandId.unwrapGuard),
      { command: CommandId.unwrapGuard, when: 'mcpLifeguard.hasWrapped' },
    );
  });

  it('menus and views reference only our own commands and views', () => {
    const ids = new Set<string>(Object.values(CommandId));
    for (const [where, list] of Object.entries(menus))
      for (const m of list) assert.ok(ids.has(m.command), `${where}: ${m.command}`);
    const views = Object.values(pkg.contributes.views as Record<string, { id: string }[]>)
      .flat()
      .map((v) => v.id);
    assert.deepEqual(views.sort(), [VIEW_ID, EXPLORER_VIEW_ID].sort());
  });

  it('every setting is documented; activation stays light; untrusted workspaces are limited', () => {
    for (const [key, prop] of Object.entries(
      pkg.contributes.configuration.properties as Record<
        string,
        { markdownDescription?: string; description?: string }
      >,
    )) {
      assert.ok(key.startsWith('mcpLifeguard.'), key);
      assert.ok((prop.markdownDescription ?? prop.description ?? '').length > 20, `${key} is documented`);
    }
    assert.deepEqual(pkg.activationEvents, ['onStartupFinished', `onView:${VIEW_ID}`]);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.engines.vscode, '^1.101.0');
    assert.equal(pkg.devDependencies['@types/vscode'], '1.101.0');
  });

  it('every setting has a scope a cloned workspace cannot override where it matters, and the risky ones are restricted in untrusted workspaces', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
    const workspaceSettable = new Set(['window', 'resource', 'language-overridable']);
    for (const [key, prop] of Object.entries(props)) {
      assert.ok(
        ['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'].includes(
          prop.scope ?? '',
        ),
        `${key} has a scope`,
      );
    }
    // What acts on processes, or opens the network, is never read from a workspace's settings.
    const risky = [
      'confirmDestructiveActions',
      'stopGracePeriod',
      'autoRestartStale',
      'agentServer.enabled',
      'singleWriterServers',
      'sources',
      'notifications.onRegistryUpdate',
      'mcpRegistries',
    ].map((k) => `mcpLifeguard.${k}`);
    for (const key of risky) assert.ok(!workspaceSettable.has(props[key].scope!), `${key} is ${props[key].scope}`);
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...risky].sort());
    const mostly = Object.values(props).filter((p) => p.scope === 'machine' || p.scope === 'application').length;
    assert.ok(mostly > Object.keys(props).length / 2, 'most settings are machine or application');
  });

  it('every setting is on the User tab of a remote window: none is per machine', () => {
    // A `machine` (or `machine-overridable`) setting shows only on the Remote tab there, and a user's
    // value is ignored in remote windows; none of ours differs by the machine it runs on.
    const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
    const perMachine = Object.entries(props)
      .filter(([, p]) => p.scope === 'machine' || p.scope === 'machine-overridable')
      .map(([key]) => key);
    assert.deepEqual(perMachine, []);
    assert.equal(props['mcpLifeguard.refreshInterval'].scope, 'window');
  });

  it('the welcome views link to creating .vscode/mcp.json through our own command', () => {
    const ids = new Set<string>(Object.values(CommandId));
    for (const w of pkg.contributes.viewsWelcome as { view: string; contents: string }[]) {
      assert.ok(w.contents.includes(`[Create .vscode/mcp.json](command:${CommandId.createWorkspaceMcpJson})`), w.view);
      for (const m of w.contents.matchAll(/\(command:([^)?]+)/g)) assert.ok(ids.has(m[1]), m[1]);
    }
  });

  it('the view container icon ships', () => {
    for (const c of pkg.contributes.viewsContainers.activitybar)
      assert.ok(fs.existsSync(path.join(repoRoot, c.icon)), c.icon);
  });

  it('view title actions are icons (a text title would collapse the view title to "MCP Li...")', () => {
    const commands: { command: string; icon?: string }[] = pkg.contributes.commands;
    for (const m of menus['view/title'].filter((e) => e.group?.startsWith('navigation'))) {
      assert.ok(commands.find((c) => c.command === m.command)?.icon, `${m.command} has no icon`);
    }
    assert.ok(
      menus['view/title'].some((m) => m.command === CommandId.restartAllStale && m.group?.startsWith('navigation')),
    );
  });

  it('the side bar\'s view is named as its container, so VS Code titles it once ("MCP Lifeguard", not "MCP Lifeguard: Servers") and a narrow side bar keeps it', () => {
    const container = pkg.contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === 'mcpLifeguard');
    const view = pkg.contributes.views.mcpLifeguard.find((v: { id: string }) => v.id === VIEW_ID);
    assert.equal(container.title, 'MCP Lifeguard');
    assert.equal(view.name, container.title);
  });

  it('the view title keeps at most two icons, so its name reads beside the stale icon; the rest is in ...', () => {
    const navigation = menus['view/title'].filter((e) => e.group?.startsWith('navigation')).map((e) => e.command);
    assert.deepEqual(navigation, [CommandId.refresh, CommandId.restartAllStale]);
    assert.ok(menus['view/title'].some((m) => m.command === CommandId.filterClients && m.group === '1_filter'));
  });

  it('Restart All Stale is named after both things it does: a guarded instance restarts, another is only stopped', () => {
    const command = (pkg.contributes.commands as { command: string; title: string }[]).find(
      (c) => c.command === CommandId.restartAllStale,
    );
    assert.equal(command?.title, 'Restart or Stop Stale Servers...');
    // Its icon fits both (a restart's circle arrow), never run-all's play.
    assert.equal((command as { icon?: string } | undefined)?.icon, '$(debug-restart)');
  });

  it('every inline item action has an icon', () => {
    const commands: { command: string; icon?: string }[] = pkg.contributes.commands;
    for (const m of menus['view/item/context'].filter((e) => e.group?.startsWith('inline'))) {
      assert.ok(commands.find((c) => c.command === m.command)?.icon, `${m.command} has no icon`);
    }
  });

  it('settings read as words: enums have labels and descriptions, the registry setting says it stops network requests', () => {
    const props = pkg.contributes.configuration.properties as Record<
      string,
      {
        enum?: string[];
        enumItemLabels?: string[];
        items?: { enum?: string[]; enumItemLabels?: string[] };
        markdownDescription?: string;
      }
    >;
    for (const [key, prop] of Object.entries(props)) {
      for (const e of [prop, prop.items])
        if (e?.enum) assert.equal(e.enumItemLabels?.length, e.enum.length, `${key}: every enum value has a label`);
    }
    assert.deepEqual(props['mcpLifeguard.autoRestartStale'].enumItemLabels, ['Never', 'Guarded servers, when idle']);
    assert.match(
      props['mcpLifeguard.notifications.onRegistryUpdate'].markdownDescription!,
      /stops these network requests/,
    );
    assert.equal(pkg.contributes.configuration.title, 'MCP Lifeguard');
  });

  it("the client filter's labels are the clients' names from the one table, as Filter by Client and every row say them", () => {
    const nls = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const prefix = 'config.sources.enumItemLabels.';
    const labels = Object.entries(nls).filter(([k]) => k.startsWith(prefix));
    assert.ok(labels.length > 20, 'the labels are found');
    for (const [key, label] of labels) {
      const id = key.slice(prefix.length) as ClientId;
      assert.equal(label, CLIENT_NAMES[id], `${key}`);
    }
  });
});
