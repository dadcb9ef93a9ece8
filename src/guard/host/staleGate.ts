import { compareVersions, decide, describeStale, InstalledVersionProbe, ResolvedVersion, StalePolicy, StaleVerdict } from './staleness';

export interface StaleGateOptions {
  stale?: { policy: StalePolicy; probe: InstalledVersionProbe; intervalMs: number };
  serverName: string;
  log(line: string): void;
  /** The version the running child started with; undefined while no child exists. */
  runningVersion(): Promise<ResolvedVersion | undefined> | undefined;
  /** Whether the guard is running normally (not restarting, failed or closing). */
  isRunning(): boolean;
  /** Whether no client request is in flight. */
  isIdle(): boolean;
  restart(reason: string): Promise<unknown>;
}

/**
 * The guard's `--when-stale` policy, kept apart from the relay: which requests to refuse while the
 * running child is stale, the periodic check, and the restart once idle. The guard tells it the
 * tools' read-only hints as they pass and when it goes idle.
 */
export class StaleGate {
  private readonly readOnlyTools = new Map<string, boolean>();
  private staleLogged = '';
  private idleRestartWanted = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StaleGateOptions) {}

  start(): void {
    const stale = this.options.stale;
    if (stale && stale.intervalMs > 0) {
      this.timer = setInterval(() => void this.check(), stale.intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Remembers which tools the server declared read-only (from its tools/list answer). */
  noteTools(tools: unknown[]): void {
    for (const tool of tools as Array<{ name?: unknown; annotations?: { readOnlyHint?: unknown } }>) {
      if (typeof tool?.name === 'string') this.readOnlyTools.set(tool.name, tool.annotations?.readOnlyHint === true);
    }
  }

  /** The refusal message for a client request under a refusing policy, or undefined to forward it. */
  async refusal(method: string, params: Record<string, unknown> | undefined): Promise<string | undefined> {
    const stale = this.options.stale;
    if (!stale) return undefined;
    if (stale.policy !== 'refuse-writes' && stale.policy !== 'refuse-all') {
      if (method === 'tools/call') void this.check();
      return undefined;
    }
    if (stale.policy === 'refuse-writes' && method !== 'tools/call') return undefined;
    const verdict = await this.verdict();
    const toolName = typeof params?.name === 'string' ? params.name : undefined;
    const decision = decide(stale.policy, verdict, { method, toolName, readOnly: toolName === undefined ? undefined : this.readOnlyTools.get(toolName) }, this.options.serverName);
    return decision.action === 'refuse' ? decision.message : undefined;
  }

  /** Called when no request is in flight any more: a wanted restart happens now. */
  onIdle(): void {
    if (!this.idleRestartWanted || !this.options.isIdle() || !this.options.isRunning()) return;
    this.idleRestartWanted = false;
    this.options.restart('a newer version is installed (--when-stale restart-when-idle)').catch((err: Error) => this.options.log(`restart failed: ${err.message}`));
  }

  private async verdict(): Promise<StaleVerdict> {
    const stale = this.options.stale;
    const running = this.options.runningVersion();
    if (!stale || !running) return { state: 'unknown', reason: 'no staleness probe' };
    const verdict = compareVersions(await running, await stale.probe.installed());
    if (verdict.state === 'stale') {
      const said = describeStale(verdict, this.options.serverName);
      if (this.staleLogged !== said) {
        this.staleLogged = said;
        this.options.log(`${said} (--when-stale ${stale.policy})`);
      }
    }
    return verdict;
  }

  /** The timer's check (and the one on tools/call under warn and restart-when-idle, which never delays the call). */
  private async check(): Promise<void> {
    if (!this.options.isRunning()) return;
    try {
      const verdict = await this.verdict();
      if (verdict.state === 'stale' && this.options.stale?.policy === 'restart-when-idle') {
        this.idleRestartWanted = true;
        this.onIdle();
      }
    } catch (err) {
      this.options.log(`checking for a newer installed version failed: ${(err as Error).message}`);
    }
  }
}
