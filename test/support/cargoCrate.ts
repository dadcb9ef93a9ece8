import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './run';

/**
 * A Rust server crate with no dependencies, installed with real `cargo install --path`, so cargo's
 * own records (`<root>/.crates2.json`, `<root>/.crates.toml`) name its version, offline. Cargo's
 * home, its build folder and the install root all live in the test's folder: the user's `~/.cargo`
 * is never written (rustup's proxy reads its toolchains from `~/.rustup` as usual).
 */

/** `cargo` on PATH, else rustup's usual folder. */
export const CARGO = onPath('cargo') ? 'cargo' : path.join(os.homedir(), '.cargo', 'bin', 'cargo');

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, program)));
}

/** Whether cargo (and a toolchain behind it) is here at all. */
export async function cargoVersion(): Promise<string | undefined> {
  try {
    return (await run(CARGO, ['--version'])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A server that says `<name> ready <version>` on stderr and answers `initialize` on stdout with
 * its name and version (a line of JSON-RPC per request), until its stdin closes.
 */
function serverSource(name: string): string {
  return `use std::io::{BufRead, Write};

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    eprintln!("${name} ready {}", version);
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if !line.contains("\\"initialize\\"") {
            continue;
        }
        let id = line
            .split("\\"id\\":")
            .nth(1)
            .and_then(|rest| rest.split(|c| c == ',' || c == '}').next())
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "null".to_string());
        let _ = writeln!(
            out,
            "{{\\"jsonrpc\\":\\"2.0\\",\\"id\\":{},\\"result\\":{{\\"protocolVersion\\":\\"2025-06-18\\",\\"capabilities\\":{{}},\\"serverInfo\\":{{\\"name\\":\\"${name}\\",\\"version\\":\\"{}\\"}}}}}}",
            id, version
        );
        let _ = out.flush();
    }
}
`;
}

/** Writes (or rewrites) the crate `name` at `version` in `<root>/crate`; returns its folder. */
export function rustCrate(root: string, name: string, version: string): string {
  const dir = path.join(root, 'crate');
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'Cargo.toml'),
    `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n\n[dependencies]\n`,
  );
  fs.writeFileSync(path.join(dir, 'src', 'main.rs'), serverSource(name));
  return dir;
}

/** `cargo install --path <crate> --root <installRoot> --force`, offline, with cargo's home and build folder under `root`. */
export async function cargoInstall(root: string, crate: string, installRoot: string): Promise<void> {
  await run(CARGO, ['install', '--offline', '--force', '--quiet', '--path', crate, '--root', installRoot], {
    cwd: root,
    env: {
      ...process.env,
      CARGO_HOME: path.join(root, 'cargo-home'),
      CARGO_TARGET_DIR: path.join(root, 'cargo-target'),
      CARGO_TERM_COLOR: 'never',
    },
  });
}
