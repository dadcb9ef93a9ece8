/**
 * `npm run bench`: every bench/*.bench.ts in one run on the same machine, so the ratios it prints
 * compare figures measured side by side. Each bench module exports `run(report)`.
 * `npm run bench -- NAME...` runs only the benches whose file names contain a NAME. Each area's figures
 * are framed by the load average at its start and end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadNote } from './support';

export interface BenchReport {
  /** One figure: a name, a value and its unit. */
  figure(name: string, value: number, unit: string): void;
  /** A ratio: against a target, printed with PASS/MISS so a reader sees at once where we stand; with none, a figure. */
  ratio(name: string, value: number, target: { max?: number; min?: number }): void;
  note(text: string): void;
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
    .sort();
  console.log(
    `mcp-lifeguard bench on ${process.platform} ${process.arch}, node ${process.version}, ${new Date().toISOString()}`,
  );
  let misses = 0;
  /** Every target's line, repeated at the end under its area: the run's verdicts in one place. */
  const targets: string[] = [];
  for (const file of files) {
    const area = file.replace(/\.bench\.ts$/, '');
    console.log(`\n## ${area}`);
    const report: BenchReport = {
      figure: (name, value, unit) => console.log(`  ${name}: ${value.toFixed(3)} ${unit}`),
      ratio: (name, value, target) => {
        // A ratio with no target is a side-by-side figure: printed, neither passed nor missed.
        if (target.max === undefined && target.min === undefined) {
          console.log(`  ${name}: ${value.toFixed(3)}`);
          return;
        }
        const ok =
          (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
        if (!ok) misses++;
        const t = [
          target.min !== undefined ? `>= ${target.min}` : '',
          target.max !== undefined ? `<= ${target.max}` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        const line = `${name}: ${value.toFixed(3)} (target ${t}) ${ok ? 'PASS' : 'MISS'}`;
        console.log(`  ${line}`);
        targets.push(`${area}: ${line}`);
      },
      note: (text) => console.log(`  ${text}`),
    };
    const mod = (await import(path.join(__dirname, file))) as { run(r: BenchReport): Promise<void> };
    // Every area's figures read against how busy the machine was while they were taken.
    report.note(loadNote('start'));
    await mod.run(report);
    report.note(loadNote('end'));
  }
  if (targets.length) console.log(`\n## targets\n${targets.map((t) => `  ${t}`).join('\n')}`);
  console.log(`\n${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
