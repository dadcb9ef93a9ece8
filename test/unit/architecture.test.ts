import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { moduleMaps } from '../support/moduleState';
import { repoRoot } from '../support/repo';
import {
  frontDoorViolations,
  importCycles,
  importGraph,
  importSpecifiers,
  layerViolations,
  moduleImportViolations,
  sourceFiles,
} from '../support/importGraph';

/**
 * The engine's folders, bottom first (docs/architecture.md explains each). A folder may import its
 * own files and the folders listed before it, never one after it: the lock protocol, say, can be
 * lifted out with only what sits below it.
 */
export const CORE_LAYERS = [
  'base', // the snapshot's types, paths, host environment, redaction, the engine's cache
  'machine', // the Machine port: everything the engine reads of the world, and this machine's file operations
  'net', // the loopback policy
  'launch', // the one parser of launch commands (text only: words, launchers, options, targets)
  'pids', // the OS process table and the one rule for re-identifying a pid
  'control', // the guard's control protocol
  'sources', // one adapter per client config
  'locks', // the lock-file protocol
  'http', // HTTP MCP: the front's session store and records
  'processes', // running instances: matching, clients, duplicates, orphans, guarded
  'clientLogs', // the logs clients keep of the servers they run: where, which file, its end
  'versions', // installed vs running: resolution per ecosystem, judgement
  'actions', // stop ladder, stop, kill-duplicates, workspace trust
  'snapshot', // the whole picture every face reads
  'report', // the snapshot read as verdicts, counts and evidence, the same in every face
  'configEdit', // rewriting a server's entry in its client's file (wrap, unwrap, share), installing the guard
  'capture', // a snapshot's reads kept (redacted) and replayed: a user's machine as a test
] as const;

/** The modules through which a program touches this machine's files and runs its processes. */
const OS_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'child_process', 'node:child_process'];

/**
 * The engine's folders that may import them: the Machine, through which everything else reads the
 * world and writes our files (a snapshot taken on a recorded machine touches nothing of this one),
 * and the actions, which signal and start processes on this machine.
 */
const OS_FOLDERS = ['machine', 'actions'];

/** The faces and what each may import (the engine imports none of them). */
const FACE_IMPORTS: Record<string, readonly string[]> = {
  core: ['core'],
  guard: ['core', 'guard'],
  agent: ['core', 'agent'],
  cli: ['core', 'guard', 'agent', 'cli'],
  extension: ['core', 'extension'],
};

/**
 * The faces other faces import through one file alone: the CLI takes from the guard only what
 * src/guard/index.ts exports, so the guard's inner files can move without the CLI knowing.
 */
const FRONT_DOORS: Record<string, string> = { guard: 'guard/index.ts' };

const src = path.join(repoRoot, 'src');
const core = path.join(src, 'core');

describe('architecture: imports point down only', () => {
  it('src/core never imports vscode', () => {
    const offenders = sourceFiles(core).filter((f) => importSpecifiers(fs.readFileSync(f, 'utf8')).includes('vscode'));
    assert.deepEqual(
      offenders.map((f) => path.relative(repoRoot, f)),
      [],
    );
  });

  it('each face imports only the engine and what lies below it; the engine imports no face', () => {
    assert.deepEqual(
      Object.keys(FACE_IMPORTS).sort(),
      fs.readdirSync(src).sort(),
      'every folder of src/ has its place',
    );
    const offenders: string[] = [];
    for (const [file, targets] of importGraph(src)) {
      const from = file.split('/')[0];
      for (const t of targets)
        if (!FACE_IMPORTS[from]?.includes(t.split('/')[0])) offenders.push(`src/${file} -> src/${t}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('a face imports the guard through its front door (src/guard/index.ts) alone', () => {
    assert.deepEqual(frontDoorViolations(importGraph(src), FRONT_DOORS), []);
  });

  it('the folders of src/core import only folders below them, in the documented order', () => {
    assert.deepEqual(layerViolations(importGraph(core), CORE_LAYERS), []);
    const folders = fs
      .readdirSync(core, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(folders.sort(), [...CORE_LAYERS].sort(), 'every layer exists and every folder is a layer');
  });

  it('the engine touches the OS (node:fs, child_process) only in machine/ and actions/', () => {
    const files = new Map(sourceFiles(core).map((f) => [path.relative(core, f), fs.readFileSync(f, 'utf8')]));
    assert.deepEqual(moduleImportViolations(files, OS_MODULES, OS_FOLDERS), []);
  });

  it('the engine reaches this machine only through machine/: no fallback to its files (liveFs), no connection (fetch) elsewhere', () => {
    const offenders = sourceFiles(core)
      .filter((f) => path.relative(core, f).split(path.sep)[0] !== 'machine')
      .flatMap((f) => bypasses(fs.readFileSync(f, 'utf8')).map((b) => `${path.relative(repoRoot, f)}: ${b}`));
    assert.deepEqual(offenders, []);
    // The check sees both, and not a mention in a comment.
    assert.deepEqual(
      bypasses("import { liveFs } from '../machine/liveFs';\n// fetch(url)\n * liveFs\nconst r = await fetch(url);"),
      ['liveFs', 'fetch('],
    );
  });

  it('the engine keeps no Map at module level (each Engine owns its cache), and VersionsOptions is gone', () => {
    const offenders = sourceFiles(core).flatMap((f) =>
      moduleMaps(fs.readFileSync(f, 'utf8'), path.relative(repoRoot, f)),
    );
    assert.deepEqual(offenders, []);
    // The options bag of the old versions step: its seams are a Machine now.
    const bags = sourceFiles(src).filter((f) => /\bVersionsOptions\b/.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(
      bags.map((f) => path.relative(repoRoot, f)),
      [],
    );
    // The check sees both forms, and not a mention in a comment.
    assert.deepEqual(
      moduleMaps(
        'const a = new Map<string, number>();\nclass C { private static readonly b = new WeakMap(); }\n// new Map()\nfunction f() { return new Map(); }',
      ),
      ['file.ts:1: a', 'file.ts:2: C.b'],
    );
  });

  it('no file in src/ takes part in an import cycle', () => {
    assert.deepEqual(importCycles(importGraph(src)), []);
  });

  it('the checks themselves see a vscode import, an upward import, a cycle and the OS touched outside machine/', () => {
    assert.deepEqual(importSpecifiers("import * as vscode from 'vscode';\nconst x = require('vscode');"), [
      'vscode',
      'vscode',
    ]);
    const graph = new Map([
      ['base/a.ts', ['locks/b.ts']],
      ['locks/b.ts', ['base/c.ts']],
      ['base/c.ts', ['base/a.ts']],
      ['stray.ts', []],
    ]);
    assert.deepEqual(layerViolations(graph, ['base', 'locks']), [
      'base/a.ts -> locks/b.ts: "base" may not import "locks" (above it)',
      'stray.ts: folder "." has no place in the layer order',
    ]);
    assert.deepEqual(importCycles(graph), [['base/a.ts', 'base/c.ts', 'locks/b.ts']]);
    const faces = new Map([
      ['cli/run.ts', ['guard/index.ts', 'guard/host/probe.ts']],
      ['guard/index.ts', ['guard/host/probe.ts']],
    ]);
    assert.deepEqual(frontDoorViolations(faces, { guard: 'guard/index.ts' }), [
      'cli/run.ts -> guard/host/probe.ts: "guard" is imported through guard/index.ts alone',
    ]);
    const engine = new Map([
      ['configEdit/w.ts', 'import type { Stats } from \'node:fs\';\nimport { spawn } from "child_process";'],
      ['http/f.ts', "const fsp = require('fs/promises');"],
      ['control/s.ts', "export { promises } from 'fs';\nimport 'node:fs/promises';"],
      ['machine/m.ts', "import * as fs from 'node:fs';"],
      // Spelled in two pieces: test layers' check (no unit test starts a process) reads this file as text.
      ['actions/a.ts', "import { execFile } from 'node:child" + "_process';"],
      ['base/p.ts', "import * as path from 'node:path';\n// reads no file: 'fs' named in a comment only"],
    ]);
    assert.deepEqual(moduleImportViolations(engine, OS_MODULES, OS_FOLDERS), [
      'configEdit/w.ts imports "child_process": only machine/ and actions/ may',
      'configEdit/w.ts imports "node:fs": only machine/ and actions/ may',
      'control/s.ts imports "fs": only machine/ and actions/ may',
      'control/s.ts imports "node:fs/promises": only machine/ and actions/ may',
      'http/f.ts imports "fs/promises": only machine/ and actions/ may',
    ]);
  });
});

/** The ways around the Machine a source file's code (not its comments) takes: this machine's files, a connection. */
function bypasses(text: string): string[] {
  const code = text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .join('\n');
  return [/\bliveFs\b/.test(code) ? 'liveFs' : '', /\bfetch\(/.test(code) ? 'fetch(' : ''].filter(Boolean);
}
