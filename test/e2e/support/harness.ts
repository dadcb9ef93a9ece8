import { Session, SessionOptions } from './session';
import { E2eTools, requireTools } from './tools';

/** Budget of one scenario: code-server start and the first workbench load are slow on 2 busy cores. */
export const SCENARIO_TIMEOUT_MS = 300000;

export interface Harness {
  /** Starts code-server on a fixture machine and opens it; torn down after the test whatever happens. */
  start(options: SessionOptions): Promise<Session>;
  /** The started session without opening the browser yet (to start servers first, for instance). */
  prepare(options: SessionOptions): Session;
  tools(): E2eTools;
}

/**
 * A suite of e2e scenarios. Skips (one plain line, once per run) when the tools are not installed.
 * After each test: on failure keeps a screenshot and the logs, then tears everything down and fails
 * the hook if any process the test started is still alive.
 */
export function describeE2e(title: string, body: (h: Harness) => void): void {
  describe(title, function () {
    this.timeout(SCENARIO_TIMEOUT_MS);
    let tools: E2eTools | undefined;
    const sessions: Session[] = [];

    const harness: Harness = {
      tools() {
        if (!tools) throw new Error('e2e tools not resolved');
        return tools;
      },
      prepare(options) {
        const s = new Session(harness.tools(), options);
        sessions.push(s);
        return s;
      },
      async start(options) {
        const s = harness.prepare(options);
        await s.start();
        return s;
      },
    };

    before(function () {
      tools = requireTools(this);
    });

    async function finish(test: Mocha.Runnable | undefined): Promise<void> {
      const failed = test?.state === 'failed';
      const name = test?.fullTitle() ?? title;
      const survivors: string[] = [];
      for (const s of sessions.splice(0)) {
        if (failed) {
          const out = await s.keepArtifacts(name);
          console.log(`    e2e: screenshot and logs kept in ${out}`);
        }
        for (const p of await s.dispose()) survivors.push(`${p.pid} ${p.command}`);
      }
      if (survivors.length)
        throw new Error(`processes started by the test outlived its teardown (now killed):\n${survivors.join('\n')}`);
    }

    afterEach(async function () {
      await finish(this.currentTest);
    });
    after(async function () {
      await finish(undefined);
    });

    body(harness);
  });
}
