import { liveMachine, currentHostEnv } from '../../../src/core/machine/live';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ContainerFacts,
  DockerAnswer,
  dockerCli,
  parseContainerInspect,
  parseDockerRun,
  parseImageInspect,
  pickContainer,
  resolveDocker,
} from '../../../src/core/versions/docker';
import { judge } from '../../../src/core/versions/judge';

const data = (f: string) => fs.readFileSync(path.join(__dirname, 'data', f), 'utf8');
const OLD = 'sha256:0c7d2e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d';
const NEW = 'sha256:9b1e5f3a7c2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';

/** Answers like the docker CLI would, from stored output; records what was asked. */
function storedCli(answers: Record<string, DockerAnswer>): {
  run(args: string[]): Promise<DockerAnswer>;
  asked: string[][];
} {
  const asked: string[][] = [];
  return {
    asked,
    run: async (args) => {
      asked.push(args);
      return answers[args[0] === 'image' ? 'image' : args[0]] ?? { ok: false, reason: 'not stored' };
    },
  };
}

describe('versions: docker', () => {
  it('finds the image of a `docker run` launch past its options', () => {
    assert.deepEqual(parseDockerRun({ command: 'docker', args: ['run', '-i', '--rm', 'mcp/fetch'] }), {
      image: 'mcp/fetch',
    });
    assert.deepEqual(
      parseDockerRun({
        command: 'docker',
        args: ['run', '-it', '--rm', '-e', 'TOKEN', '-v', '/a:/b', '--name', 'f1', 'ghcr.io/x/y:1.2', '--flag'],
      }),
      { image: 'ghcr.io/x/y:1.2', name: 'f1' },
    );
    assert.deepEqual(
      parseDockerRun({ command: 'docker', args: ['container', 'run', '--network=host', '-eA=1', 'img'] }),
      { image: 'img' },
    );
    assert.equal(parseDockerRun({ command: 'docker', args: ['ps'] }), undefined);
    assert.equal(parseDockerRun({ command: 'npx', args: ['run'] }), undefined);
  });

  it('parses stored `docker image inspect` and `docker inspect` output', () => {
    assert.deepEqual(parseImageInspect(data('docker-image-inspect.json')), { id: NEW });
    assert.ok(parseImageInspect('Error: No such image') instanceof Error);
    const cs = parseContainerInspect(data('docker-container-inspect.json'));
    assert.ok(!(cs instanceof Error));
    if (cs instanceof Error) return;
    assert.deepEqual(
      cs.map((c) => [c.name, c.imageRef, c.running]),
      [
        ['practical_hopper', 'mcp/fetch', true],
        ['fetch-new', 'mcp/fetch:latest', true],
        ['old-exited', 'mcp/fetch', false],
      ],
    );
    assert.equal(cs[0].startedAt, Date.parse('2026-11-20T10:00:00.861Z'));
  });

  it('picks the running container started with the process (`mcp/fetch` means `:latest`), or none', () => {
    const cs = parseContainerInspect(data('docker-container-inspect.json')) as ContainerFacts[];
    assert.equal(
      pickContainer(cs, { image: 'mcp/fetch' }, Date.parse('2026-11-20T10:00:00.300Z'))?.name,
      'practical_hopper',
    );
    assert.equal(
      pickContainer(cs, { image: 'mcp/fetch:latest' }, Date.parse('2026-11-21T09:29:59Z'))?.name,
      'fetch-new',
    );
    assert.equal(pickContainer(cs, { image: 'mcp/fetch' }, Date.parse('2026-11-22T00:00:00Z')), undefined);
    assert.equal(pickContainer(cs, { image: 'mcp/fetch' }, undefined), undefined);
    assert.equal(pickContainer(cs, { image: 'x', name: 'fetch-new' })?.imageId, NEW);
  });

  it('an old container under a moved tag is stale with both image ids', async () => {
    const cli = storedCli({
      image: { ok: true, stdout: data('docker-image-inspect.json') },
      ps: { ok: true, stdout: 'a\nb\n' },
      inspect: { ok: true, stdout: data('docker-container-inspect.json') },
    });
    const r = await resolveDocker(cli, { image: 'mcp/fetch' }, Date.parse('2026-11-20T10:00:01Z'));
    assert.deepEqual(cli.asked, [
      ['image', 'inspect', 'mcp/fetch'],
      ['ps', '--no-trunc', '--format', '{{.ID}}'],
      ['inspect', 'a', 'b'],
    ]);
    const { verdict } = judge({
      installed: r.installed,
      processStart: Date.parse('2026-11-20T10:00:01Z'),
      ...(r.running ? { reported: r.running } : {}),
    });
    assert.equal(verdict.state === 'stale' && `${verdict.running} -> ${verdict.installed}`, `${OLD} -> ${NEW}`);
  });

  it('is unknown when no engine answers (the real CLI on this machine, or none at all)', async () => {
    const r = await resolveDocker(dockerCli(liveMachine(currentHostEnv())), { image: 'mcp/fetch' }, Date.now());
    assert.equal(r.installed.state, 'unknown');
    const none = await resolveDocker(dockerCli(liveMachine({ ...currentHostEnv(), env: { PATH: '/nonexistent' } })), {
      image: 'mcp/fetch',
    });
    assert.equal(none.installed.state, 'unknown');
  });
});
