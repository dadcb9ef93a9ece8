// Types of scripts/testPlan.mjs, for the tests that import it.
export declare function shardCount(
  setting: string | undefined,
  processors: number,
): { jobs: number } | { problem: string };
export declare const LAYERS: readonly string[];
export declare function layerOf(file: string): string | undefined;
export interface Shard {
  files: string[];
  seconds: number;
}
export declare function planShards(files: readonly string[], durations: Record<string, number>, jobs: number): Shard[];
export declare function mergeDurations(
  before: Record<string, number>,
  measured: Record<string, number>,
): Record<string, number>;
export interface TimedTest {
  title: string;
  file: string;
  ms: number;
}
export declare function slowest(tests: readonly TimedTest[], n: number): TimedTest[];
export declare function layerSeconds(fileDurations: Record<string, number>): { layer: string; seconds: number }[];
