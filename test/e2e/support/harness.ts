import { closeSharedBrowser } from './browser';
import { Session, SessionOptions } from './session';
import { E2eTools, requireTools } from './tools';

/** Budget of one scenario: code-server start and the first workbench load are slow on 2 busy cores. */
export const SCENARIO_TIMEOUT_MS = 300000;

export interface Harness {
  /** Starts code-server on a fixture machine and opens it; torn down after the test whatever happens. */
  start(options: SessionOptions): Promise<Session>;
  /**
   * The session with its code-server starting, the browser not opened yet (to start servers first,
   * for instance): the extension runs once the test calls open().
   */
  prepare(options: SessionOptions): Session;
  tools(): E2eTools;
}

/** The run's e2e suites: the last one to finish closes the browser they share. */
const e2eSuites = new WeakSet<Mocha.Suite>();

/** Whether a sibling suite after `suite` (a later file's, in run order) is an e2e suite. */
function e2eSuiteFollows(suite: Mocha.Suite): boolean {
  const siblings = suite.parent?.suites ?? [];
  return siblings.slice(siblings.indexOf(suite) + 1).some((s) => e2eSuites.has(s));
}

/**
 * A suite of e2e scenarios. Skips (one plain line, once per run) when the tools are not installed.
 * After each test: on failure keeps a screenshot and the logs, then tears everything down and fails
 * the hook if any process the test started is still alive.
 */
export function describeE2e(title: string, body: (h: Harness) => void): void {
  const suite = describe(title, function () {
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
        // Under way while the scenario sets its machine up; a failure shows where the test awaits it.
        s.startCodeServer().catch(() => undefined);
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
        console.log(`    e2e: ${s.steps.join('; ')}`);
      }
      if (survivors.length)
        throw new Error(`processes started by the test outlived its teardown (now killed):\n${survivors.join('\n')}`);
    }

    afterEach(async function () {
      await finish(this.currentTest);
    });
    after(async function () {
      let failure: unknown;
      try {
        await finish(undefined);
      } catch (e) {
        failure = e;
      }
      // The last e2e suite of the run closes the browser, whatever its own teardown found.
      const survivors = e2eSuiteFollows(suite) ? [] : await closeSharedBrowser();
      if (failure) throw failure;
      if (survivors.length)
        throw new Error(
          `the browser's processes outlived its close (now killed):\n${survivors.map((p) => `${p.pid} ${p.command}`).join('\n')}`,
        );
    });

    body(harness);
  });
  e2eSuites.add(suite);
}
