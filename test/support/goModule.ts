import * as fs from 'node:fs';
import * as path from 'node:path';
import { run } from './run';
import { toolCacheRoot } from './toolCache';

/**
 * A Go server module with real releases, served by a module proxy on the file system
 * (`GOPROXY=file://...`), so `go install <module>@<version>` stamps a real module version into the
 * binary's build information, offline. The build cache lives outside the clone keyed by Go's
 * version (a warm machine rebuilds nothing); the module cache and GOPATH live in the test's folder.
 */

/** `go` on PATH, else the usual install folder. */
export const GO = fs.existsSync('/usr/local/go/bin/go') && !onPath('go') ? '/usr/local/go/bin/go' : 'go';

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, program)));
}

/** Whether a Go toolchain is here at all. */
export async function goVersion(): Promise<string | undefined> {
  try {
    return (await run(GO, ['env', 'GOVERSION'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A stored zip (no compression) of `files`: what a module proxy serves as `<version>.zip`. */
function storedZip(files: Record<string, string>): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const local: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const crc = crc32(data);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(data.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    local.push(head, fileName, data);
    central.push(entry, fileName);
    offset += head.length + fileName.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, dir, end]);
}

/** A server that says `<name> ready <version>` on stderr, then waits (a client's stdin closing ends it). */
function serverSource(name: string, version: string): string {
  return `package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "${name} ready ${version}")
	_, _ = io.Copy(io.Discard, os.Stdin)
}
`;
}

/** A module proxy folder under `root` serving `module` at each of `versions` (a `main` package each). */
export function goProxy(root: string, module: string, versions: readonly string[]): string {
  const proxy = path.join(root, 'goproxy');
  const dir = path.join(proxy, ...module.split('/'), '@v');
  fs.mkdirSync(dir, { recursive: true });
  const goMod = `module ${module}\n\ngo 1.21\n`;
  const name = module.split('/').pop()!;
  for (const v of versions) {
    fs.writeFileSync(path.join(dir, `${v}.info`), JSON.stringify({ Version: v, Time: '2026-01-01T00:00:00Z' }));
    fs.writeFileSync(path.join(dir, `${v}.mod`), goMod);
    fs.writeFileSync(
      path.join(dir, `${v}.zip`),
      storedZip({
        [`${module}@${v}/go.mod`]: goMod,
        [`${module}@${v}/main.go`]: serverSource(name, v),
      }),
    );
  }
  fs.writeFileSync(path.join(dir, 'list'), `${versions.join('\n')}\n`);
  return proxy;
}

/**
 * Go's environment for a test under `root`: the proxy folder only (no network, no checksum
 * database, no toolchain switch), the module cache writable so the test's folder can be removed.
 */
export async function goEnv(root: string, proxy: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const version = (await goVersion()) ?? 'unknown';
  const home = path.join(root, 'go-home');
  fs.mkdirSync(home, { recursive: true });
  return {
    ...process.env,
    GOPROXY: `file://${proxy}`,
    GOSUMDB: 'off',
    GONOSUMDB: '*',
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
    GOPATH: path.join(root, 'gopath'),
    GOMODCACHE: path.join(root, 'gopath', 'pkg', 'mod'),
    GOCACHE: path.join(toolCacheRoot(), `go-build-${version}`),
    // Go's telemetry and its config stay in the test's folder.
    XDG_CONFIG_HOME: path.join(root, 'xdg-config'),
    HOME: home,
    CGO_ENABLED: '0',
    ...extra,
  };
}

/** `go install <module>@<version>` into `bin`, from the proxy folder only. */
export async function goInstall(root: string, proxy: string, bin: string, spec: string): Promise<void> {
  await run(GO, ['install', spec], { cwd: root, env: await goEnv(root, proxy, { GOBIN: bin }) });
}

/**
 * `go build -o <out>` of the module's `version` as a checkout of it (its own folder, no VCS): the
 * binary says `(devel)`, no version of the module.
 */
export async function goBuildCheckout(
  root: string,
  proxy: string,
  module: string,
  version: string,
  out: string,
): Promise<void> {
  const src = path.join(root, `src-${version}`);
  fs.mkdirSync(src, { recursive: true });
  const name = module.split('/').pop()!;
  fs.writeFileSync(path.join(src, 'go.mod'), `module ${module}\n\ngo 1.21\n`);
  fs.writeFileSync(path.join(src, 'main.go'), serverSource(name, version));
  await run(GO, ['build', '-o', out, '.'], { cwd: src, env: await goEnv(root, proxy) });
}

/**
 * The variables an entry running `go run` from the proxy folder sets (goEnv's, but for the home,
 * which stays the user's): what both the entry and the process carry.
 */
export async function goRunEnv(root: string, proxy: string): Promise<Record<string, string>> {
  const env = await goEnv(root, proxy);
  const keys = ['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GOFLAGS', 'GOTOOLCHAIN', 'GOPATH', 'GOMODCACHE', 'GOCACHE'];
  // go run builds into GOTMPDIR: the test's folder, so a build a stopped go leaves behind goes with it.
  const tmp = path.join(root, 'go-tmp');
  fs.mkdirSync(tmp, { recursive: true });
  return {
    ...Object.fromEntries(keys.map((k) => [k, env[k]!])),
    XDG_CONFIG_HOME: env.XDG_CONFIG_HOME!,
    CGO_ENABLED: '0',
    GOTMPDIR: tmp,
  };
}
