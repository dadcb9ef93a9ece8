import type { Machine } from '../machine/types';
import { parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { isRecord, LaunchSpec } from './lookup';
import { Installed, Running } from '../base/versionTypes';

/**
 * Docker: the image id a server's container runs vs the id its tag points to now. Both come from
 * `docker inspect`, so this needs a docker CLI and an engine that answers; otherwise the answer is
 * `unknown`, never a guess.
 */

export type DockerAnswer = { ok: true; stdout: string } | { ok: false; reason: string };

/** Runs the docker CLI with fixed, read-only subcommands (inspect, ps). Injected for tests. */
export interface DockerCli {
  run(args: string[]): Promise<DockerAnswer>;
}

/** The machine's CLI, with a short timeout: a stuck engine must not hold a refresh. */
export function dockerCli(machine: Machine, timeoutMs = 2000): DockerCli {
  return {
    run: async (args) => {
      const out = await machine.run({ command: 'docker', args, timeoutMs, maxBuffer: 8 * 1024 * 1024 });
      if (out.code === 0) return { ok: true, stdout: out.stdout };
      return {
        ok: false,
        reason:
          out.error?.code === 'ENOENT'
            ? 'no docker CLI on PATH'
            : `docker ${args[0]} failed: ${(out.stderr || out.error?.message || `exit ${out.code}`).trim().split('\n')[0]}`,
      };
    },
  };
}

export interface DockerRunLaunch {
  image: string;
  /** `--name`, when given: the container to inspect. */
  name?: string;
}

/** Recognises `docker run ... image [cmd]` and `docker container run ...` (podman too), through wrappers too. */
export function parseDockerRun(
  launch: LaunchSpec,
  { target }: ParsedLaunch = parseLaunch([launch.command, ...launch.args]),
): DockerRunLaunch | undefined {
  if (target.kind !== 'image') return undefined;
  return { image: target.image, ...(target.containerName ? { name: target.containerName } : {}) };
}

/** `docker image inspect <ref>` output -> the image id. */
export function parseImageInspect(stdout: string): { id: string } | Error {
  try {
    const json = JSON.parse(stdout) as unknown;
    const first = Array.isArray(json) ? json[0] : json;
    if (isRecord(first) && typeof first.Id === 'string') return { id: first.Id };
    return new Error('docker image inspect gave no Id');
  } catch (err) {
    return new Error(`docker image inspect output is not JSON: ${(err as Error).message}`);
  }
}

export interface ContainerFacts {
  id: string;
  name: string;
  /** The image id the container was created from. */
  imageId: string;
  /** The reference it was started with (`Config.Image`), e.g. `mcp/fetch:latest`. */
  imageRef: string;
  running: boolean;
  /** ms since the epoch. */
  startedAt?: number;
}

/** `docker inspect <container>...` output -> the facts we use. */
export function parseContainerInspect(stdout: string): ContainerFacts[] | Error {
  let json: unknown;
  try {
    json = JSON.parse(stdout) as unknown;
  } catch (err) {
    return new Error(`docker inspect output is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(json)) return new Error('docker inspect output is not a list');
  const out: ContainerFacts[] = [];
  for (const c of json) {
    if (!isRecord(c) || typeof c.Id !== 'string' || typeof c.Image !== 'string') continue;
    const config = isRecord(c.Config) ? c.Config : {};
    const state = isRecord(c.State) ? c.State : {};
    const started = typeof state.StartedAt === 'string' ? Date.parse(state.StartedAt) : NaN;
    out.push({
      id: c.Id,
      name: typeof c.Name === 'string' ? c.Name.replace(/^\//, '') : '',
      imageId: c.Image,
      imageRef: typeof config.Image === 'string' ? config.Image : '',
      running: state.Running === true,
      ...(Number.isFinite(started) ? { startedAt: started } : {}),
    });
  }
  return out;
}

/** `mcp/fetch` means `mcp/fetch:latest`; a digest reference is left alone. */
function withTag(ref: string): string {
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  return ref.includes('@') || last.includes(':') ? ref : `${ref}:latest`;
}

/** How close a container's start must be to the `docker run` process's start to be its container. */
const START_SLACK_MS = 60_000;

/**
 * The container a `docker run` process started: by `--name` when given, else the running container
 * of that image whose start is closest to the process's own (within a minute). Ambiguity: none.
 */
export function pickContainer(
  containers: ContainerFacts[],
  launch: DockerRunLaunch,
  processStart?: number,
): ContainerFacts | undefined {
  const running = containers.filter((c) => c.running);
  if (launch.name) return running.find((c) => c.name === launch.name);
  if (processStart === undefined) return undefined;
  const candidates = running
    .filter(
      (c) =>
        withTag(c.imageRef) === withTag(launch.image) &&
        c.startedAt !== undefined &&
        Math.abs(c.startedAt - processStart) <= START_SLACK_MS,
    )
    .sort((a, b) => Math.abs(a.startedAt! - processStart) - Math.abs(b.startedAt! - processStart));
  return candidates[0];
}

/** Both sides for a docker launch: the tag's image id now (installed) and the container's (running). */
export async function resolveDocker(
  cli: DockerCli,
  launch: DockerRunLaunch,
  processStart?: number,
): Promise<{ installed: Installed; running?: Running }> {
  const unknown = (reason: string): { installed: Installed } => ({
    installed: { state: 'unknown', ecosystem: 'docker', name: launch.image, reason },
  });
  const img = await cli.run(['image', 'inspect', launch.image]);
  if (!img.ok) return unknown(img.reason);
  const parsed = parseImageInspect(img.stdout);
  if (parsed instanceof Error) return unknown(parsed.message);
  const installed: Installed = {
    state: 'installed',
    ecosystem: 'docker',
    name: launch.image,
    version: parsed.id,
    how: `docker image inspect ${launch.image}`,
    location: launch.image,
  };
  let ids: string[];
  if (launch.name) ids = [launch.name];
  else {
    const ps = await cli.run(['ps', '--no-trunc', '--format', '{{.ID}}']);
    if (!ps.ok) return { installed, running: { state: 'unknown', reason: ps.reason } };
    ids = ps.stdout
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  }
  if (ids.length === 0) return { installed, running: { state: 'unknown', reason: 'no running container' } };
  const insp = await cli.run(['inspect', ...ids]);
  if (!insp.ok) return { installed, running: { state: 'unknown', reason: insp.reason } };
  const containers = parseContainerInspect(insp.stdout);
  if (containers instanceof Error) return { installed, running: { state: 'unknown', reason: containers.message } };
  const c = pickContainer(containers, launch, processStart);
  if (!c)
    return {
      installed,
      running: { state: 'unknown', reason: `no running container of ${launch.image} matches this process` },
    };
  return {
    installed,
    running: {
      state: 'known',
      version: c.imageId,
      source: 'docker-inspect',
      how: `docker inspect ${c.name || c.id.slice(0, 12)}`,
      ...(c.startedAt !== undefined ? { since: new Date(c.startedAt).toISOString() } : {}),
    },
  };
}
