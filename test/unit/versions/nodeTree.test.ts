import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBinShim } from '../../../src/core/launch/binShim';
import { treeEnvironment } from '../../../src/core/versions/nodeTree';
import { readNpmPackage } from '../../../src/core/versions/npmPackages';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { fixturesDir } from '../../support/repo';
import { ctxFor, plainPackage, pnpmTree, tempDir, write } from './layouts';

const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
const shim = (name: string) => fs.readFileSync(path.join(fixturesDir, 'shims', name), 'utf8');
const past = (file: string, ms: number) => fs.utimesSync(file, new Date(ms), new Date(ms));

describe('versions: dependency closures walked as Node resolves them (yarn, pnpm, no hidden lockfile)', () => {
  it("walks a hoisted yarn tree: nearest copy wins, the project's other packages are left out, .yarn-integrity counts", async () => {
    const home = tempDir();
    const nm = path.join(home, 'proj', 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '1.0.0', { dependencies: { a: '^1', c: '^1' } });
    plainPackage(path.join(nm, 'a'), 'a', '1.2.0', { dependencies: { b: '^2' } });
    plainPackage(path.join(nm, 'a', 'node_modules', 'b'), 'b', '2.0.0');
    plainPackage(path.join(nm, 'b'), 'b', '3.0.0');
    plainPackage(path.join(nm, 'srv', 'node_modules', 'c'), 'c', '1.1.0');
    plainPackage(path.join(nm, 'c'), 'c', '9.9.9');
    plainPackage(path.join(nm, 'left-pad'), 'left-pad', '1.3.0');
    const integrity = write(path.join(nm, '.yarn-integrity'), '{}');
    past(integrity, Date.parse('2030-01-01T00:00:00Z'));
    const tree = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(
      tree.environment?.packages,
      { a: '1.2.0', 'a > b': '2.0.0', 'srv > c': '1.1.0' },
      "named as npm's lockfile names them",
    );
    assert.equal(tree.changed, Date.parse('2030-01-01T00:00:00Z'), 'the layout marker is the newest change');
  });

  it('follows a pnpm store: the top-level link, the siblings beside each real package, two copies of one name', async () => {
    const home = tempDir();
    const project = path.join(home, 'proj');
    pnpmTree(project, ['@s/srv@1.0.0', 'other@1.0.0'], {
      '@s/srv@1.0.0': { '@s/sdk': '1.29.0', zod: '3.25.0' },
      '@s/sdk@1.29.0': { zod: '4.0.0', ajv: '8.17.1' },
      'zod@3.25.0': {},
      'zod@4.0.0': {},
      'ajv@8.17.1': {},
      'other@1.0.0': {},
    });
    const r = await readNpmPackage(ctxFor(home), path.join(project, 'node_modules', '@s', 'srv'), 'test');
    assert.equal(r?.state, 'installed');
    if (r?.state !== 'installed') return;
    assert.deepEqual(r.environment?.packages, {
      '@s/sdk': '1.29.0',
      zod: '3.25.0',
      '@s/sdk > zod': '4.0.0',
      ajv: '8.17.1',
    });
    const marker = fs.statSync(path.join(project, 'node_modules', '.modules.yaml'));
    assert.ok((r.changedAt ?? 0) >= marker.mtimeMs, 'changedAt covers .modules.yaml');
  });

  it('visits each package of a cycle once', async () => {
    const home = tempDir();
    const nm = path.join(home, 'proj', 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '1.0.0', { dependencies: { a: '1' } });
    plainPackage(path.join(nm, 'a'), 'a', '1.0.0', { dependencies: { b: '1' } });
    plainPackage(path.join(nm, 'b'), 'b', '1.0.0', { dependencies: { a: '1', srv: '1' } });
    const tree = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(tree.environment?.packages, { a: '1.0.0', b: '1.0.0' });
  });

  it('passes over a missing optional dependency and an absent peer, and counts the ones that are there', async () => {
    const home = tempDir();
    const nm = path.join(home, 'proj', 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '1.0.0', {
      dependencies: { a: '1' },
      optionalDependencies: { 'fsevents-like': '1', present: '1' },
      peerDependencies: { 'peer-absent': '*', 'peer-here': '*' },
    });
    plainPackage(path.join(nm, 'a'), 'a', '1.0.0');
    plainPackage(path.join(nm, 'present'), 'present', '2.0.0');
    plainPackage(path.join(nm, 'peer-here'), 'peer-here', '3.0.0');
    const tree = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(tree.environment?.packages, { a: '1.0.0', present: '2.0.0', 'peer-here': '3.0.0' });
  });

  it('a required dependency removed from the tree counts as a change when its folder changed; a missing optional one does not', async () => {
    const home = tempDir();
    const nm = path.join(home, 'proj', 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '1.0.0', {
      dependencies: { a: '1', '@s/b': '1' },
      optionalDependencies: { opt: '1' },
    });
    plainPackage(path.join(nm, 'a'), 'a', '1.0.0');
    plainPackage(path.join(nm, '@s', 'b'), '@s/b', '1.0.0');
    await new Promise((r) => setTimeout(r, 30));
    // Something unrelated lands in node_modules: a missing optional dependency is not a change of the server.
    plainPackage(path.join(nm, 'unrelated'), 'unrelated', '1.0.0');
    const quiet = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.ok((quiet.changed ?? 0) < fs.statSync(nm).ctimeMs, `${quiet.changed} vs ${fs.statSync(nm).ctimeMs}`);
    await new Promise((r) => setTimeout(r, 30));
    // An installer removes the scoped dependency (as \`npm ci\` clears node_modules before it writes).
    fs.rmSync(path.join(nm, '@s', 'b'), { recursive: true });
    const removing = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(removing.environment?.packages, { a: '1.0.0' });
    assert.equal(
      removing.changed,
      fs.statSync(path.join(nm, '@s')).ctimeMs,
      'the removal time of @s/b is the newest change',
    );
  });

  it("trusts npm's hidden lockfile only while no package of the closure was written after it", async () => {
    const home = tempDir();
    const nm = path.join(home, 'proj', 'node_modules');
    const srv = plainPackage(path.join(nm, 'srv'), 'srv', '1.0.0', { dependencies: { a: '^1' } });
    const a = plainPackage(path.join(nm, 'a'), 'a', '1.0.0');
    const lock = write(
      path.join(nm, '.package-lock.json'),
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          'node_modules/srv': { version: '1.0.0', dependencies: { a: '^1' } },
          'node_modules/a': { version: '1.0.0-from-lockfile' },
        },
      }),
    );
    const t0 = Date.now() - 60_000;
    for (const f of [path.join(srv, 'package.json'), path.join(a, 'package.json')]) past(f, t0);
    const fresh = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(fresh.environment?.packages, { a: '1.0.0-from-lockfile' });
    // Another installer (yarn) rewrote a dependency after npm wrote its lockfile: the tree on disk is what loads.
    past(lock, t0 - 60_000);
    write(path.join(a, 'package.json'), JSON.stringify({ name: 'a', version: '1.5.0' }));
    const moved = await treeEnvironment(ctxFor(home), srv, json(path.join(srv, 'package.json')));
    assert.deepEqual(moved.environment?.packages, { a: '1.5.0' });
    assert.ok(
      (moved.changed ?? 0) >= fs.statSync(path.join(a, 'package.json')).ctimeMs,
      'changedAt covers the rewritten package.json',
    );
  });
});

describe('versions: bin shims', () => {
  it('reads the script a real pnpm shim and real cmd-shim sh/cmd/ps1 shims run', () => {
    const target = '../@modelcontextprotocol/server-memory/dist/index.js';
    assert.equal(parseBinShim(shim('pnpm-9.15.9.sh')), target);
    // pnpm 12 names the version's folder in the store, from the shim's real folder, and NODE_PATH lines of the same shape.
    assert.equal(
      parseBinShim(shim('pnpm-12.21.0.sh')),
      '../.pnpm/@modelcontextprotocol+server-memory@2026.7.4_zod@4.6.7/node_modules/@modelcontextprotocol/server-memory/dist/index.js',
    );
    assert.equal(parseBinShim(shim('cmd-shim-8.0.0.sh')), target);
    assert.equal(parseBinShim(shim('cmd-shim-8.0.0.cmd')), target);
    assert.equal(parseBinShim(shim('cmd-shim-8.0.0.ps1')), target);
    assert.equal(parseBinShim('#!/usr/bin/env node\nconsole.log(1)\n'), undefined);
    assert.equal(parseBinShim('#!/bin/sh\nexec "$basedir/node" "$@"\n'), undefined);
  });

  it("resolves a pnpm project's `node_modules/.bin/<bin>` shim to the package in the store, with its closure", async () => {
    const home = tempDir();
    const project = path.join(home, 'proj');
    const nm = pnpmTree(project, ['@modelcontextprotocol/server-memory@2026.7.4'], {
      '@modelcontextprotocol/server-memory@2026.7.4': { '@modelcontextprotocol/sdk': '1.29.0' },
      '@modelcontextprotocol/sdk@1.29.0': {},
    });
    const bin = write(path.join(nm, '.bin', 'mcp-server-memory'), shim('pnpm-9.15.9.sh'));
    fs.chmodSync(bin, 0o755);
    const r = await resolveInstalled(ctxFor(home), {
      command: './node_modules/.bin/mcp-server-memory',
      args: [],
      cwd: project,
    });
    assert.equal(r.installed.state, 'installed', JSON.stringify(r.installed));
    if (r.installed.state !== 'installed') return;
    assert.equal(`${r.installed.name}@${r.installed.version}`, '@modelcontextprotocol/server-memory@2026.7.4');
    assert.ok(r.installed.location.includes(`${path.sep}.pnpm${path.sep}`), r.installed.location);
    assert.deepEqual(r.installed.environment?.packages, { '@modelcontextprotocol/sdk': '1.29.0' });
  });

  it("resolves a `.cmd` shim of npm's global prefix (Windows: the shim beside node_modules) to its package, and only into that node_modules", async () => {
    const home = tempDir();
    const prefix = path.join(home, 'npm');
    plainPackage(
      path.join(prefix, 'node_modules', '@modelcontextprotocol', 'server-memory'),
      '@modelcontextprotocol/server-memory',
      '2026.8.31',
    );
    const cmd = (rel: string) => `@ECHO off\r\nSETLOCAL\r\nCALL :find_dp0\r\n"%_prog%"  "%dp0%\\${rel}" %*\r\n`;
    const installed = async (file: string) =>
      (await resolveInstalled(ctxFor(home), { command: file, args: [], cwd: home })).installed;
    const global = write(
      path.join(prefix, 'mcp-server-memory.cmd'),
      cmd('node_modules\\@modelcontextprotocol\\server-memory\\dist\\index.js'),
    );
    fs.chmodSync(global, 0o755);
    const r = await installed(global);
    assert.deepEqual(r.state === 'installed' ? [r.name, r.version] : r, [
      '@modelcontextprotocol/server-memory',
      '2026.8.31',
    ]);
    // A shim outside `.bin` that points out of its own folder's node_modules is not npm's: not followed.
    plainPackage(path.join(home, 'elsewhere'), 'elsewhere', '1.0.0');
    const stray = write(path.join(prefix, 'stray.cmd'), cmd('..\\elsewhere\\dist\\index.js'));
    fs.chmodSync(stray, 0o755);
    assert.notEqual((await installed(stray)).state, 'installed');
  });
});
