import * as z from 'zod';
import { INSTANCE_VERDICTS, RESTART_CAUSES, RestartCause } from '../core/report/causes';

/**
 * The tools' output schemas: what `structuredContent` holds, validated by the SDK on both sides.
 * The report types (health.ts, explain.ts, actions.ts) are inferred from them: one declaration.
 */

const instance = z.object({
  pid: z.number().int(),
  client: z.string(),
  guarded: z.boolean(),
  /**
   * Its entry is wrapped (or shared) but its client still runs the process it started before the
   * edit, without the guard: the client's own way to start it again through the guard.
   */
  notGuardedYet: z.string().optional(),
  /**
   * Its entry is unwrapped but its client still runs the process it started through the guard
   * before the edit: the client's own way to start it again as the entry says now.
   */
  stillGuarded: z.string().optional(),
  /**
   * A server shared with `run --on-conflict share`, or an HTTP guard's server used by clients: the
   * clients its one process serves (name as the client gave it; pid when known, always for a relay),
   * and the share host's HTTP front a client's `url` entry reaches it at (`--share-listen`).
   */
  shared: z
    .object({
      clients: z.array(z.object({ pid: z.number().int().optional(), name: z.string().optional() })),
      url: z.string().optional(),
    })
    .optional(),
  verdicts: z.array(z.enum(INSTANCE_VERDICTS)),
  why: z.array(z.string()),
  whatToDo: z.string(),
  runningVersion: z.string().optional(),
  startedAt: z.string().optional(),
  /** Secrets redacted, as everywhere. */
  commandLine: z.string().optional(),
  /** Its memory (PSS where the OS gives it, else RSS) and CPU time, with the processes it started. */
  memoryBytes: z.number().int().optional(),
  cpuMs: z.number().optional(),
});

const server = z.object({
  name: z.string(),
  id: z.string(),
  /** Where it is configured: "VS Code (workspace)", "Claude Desktop", ... */
  source: z.string(),
  file: z.string(),
  transport: z.string(),
  state: z.enum([
    'running',
    'down',
    'stale',
    'duplicate',
    'orphan',
    'superseded',
    'unknown',
    'not-running',
    'disabled',
    'elsewhere',
  ]),
  installedVersion: z.string().optional(),
  updateAvailable: z.object({ package: z.string(), installed: z.string(), latest: z.string() }).optional(),
  /** What the MCP Registry says of it when it needs saying: "Deprecated in the MCP Registry ("name"): "message"". */
  registry: z.string().optional(),
  /** Not running for its own client, whose entry names a share whose host runs for these clients (pid: the host's). */
  sharedFor: z.object({ pid: z.number().int(), clients: z.array(z.string()) }).optional(),
  instances: z.array(instance),
});

const counts = z.object({
  servers: z.number().int(),
  running: z.number().int(),
  instances: z.number().int(),
  /** Instances by why they need a restart (core/report/causes.ts), each under its first cause. */
  restart: z.object(
    Object.fromEntries(RESTART_CAUSES.map((cause) => [cause, z.number().int()])) as Record<RestartCause, z.ZodNumber>,
  ),
  duplicate: z.number().int(),
  orphan: z.number().int(),
  superseded: z.number().int(),
  unknown: z.number().int(),
  problems: z.number().int(),
});

export const HEALTH_OUTPUT = {
  takenAt: z.string(),
  healthy: z
    .boolean()
    .describe(
      "The status bar badge's judgement: no server down, no stale, duplicate or orphaned instance and no config problem",
    ),
  summary: z.string(),
  counts,
  /** What the configured servers' instances cost (each process once) and how much of it is copies of one server. */
  cost: z.object({
    summary: z.string(),
    measure: z.enum(['pss', 'rss', 'mixed']),
    memoryBytes: z.number().int(),
    cpuMs: z.number(),
    copiesBytes: z.number().int(),
  }),
  servers: z.array(server),
  notConfigured: z.array(instance),
  problems: z.array(
    z.object({
      file: z.string(),
      line: z.number().int().optional(),
      column: z.number().int().optional(),
      severity: z.string(),
      message: z.string(),
    }),
  ),
  /** Present when the lists were cut to keep one answer short: how many of each were left out. */
  omitted: z
    .object({ servers: z.number().int(), notConfigured: z.number().int(), problems: z.number().int() })
    .optional(),
};

export const EXPLAIN_OUTPUT = {
  found: z.boolean(),
  /** A person's summary: verdict, why, what to do. */
  summary: z.array(z.string()),
  server: server.optional(),
  instance: instance.optional(),
  /** Show Evidence's document: the summary as comments above the engine's evidence JSON. */
  evidence: z.string(),
};

const stopStep = z.object({ step: z.string(), pid: z.number().int().optional() }).passthrough();
const stopResult = z.object({
  pid: z.number().int(),
  outcome: z.enum(['stopped', 'refused', 'gone', 'failed']),
  reason: z.string().optional(),
  message: z.string(),
  steps: z.array(stopStep),
});

export const ACTION_OUTPUT = {
  /** Whether everything asked was done (a restart, a stop, every planned stop). */
  ok: z.boolean(),
  dryRun: z.boolean().optional(),
  message: z.string(),
  outcomes: z.array(
    z.object({
      kind: z.enum(['restarted', 'failed', 'stopped', 'refused', 'planned', 'installed', 'left']),
      serverName: z.string().optional(),
      pid: z.number().int().optional(),
      message: z.string(),
      stop: stopResult.optional(),
    }),
  ),
};

export type InstanceReport = z.infer<typeof instance>;
export type ServerReport = z.infer<typeof server>;
export type HealthReport = z.infer<z.ZodObject<typeof HEALTH_OUTPUT>>;
export type Explanation = z.infer<z.ZodObject<typeof EXPLAIN_OUTPUT>>;
export type ActionReport = z.infer<z.ZodObject<typeof ACTION_OUTPUT>>;
export type ActionOutcome = ActionReport['outcomes'][number];
