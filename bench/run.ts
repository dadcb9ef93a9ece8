/**
 * `npm run bench`: every bench/*.bench.ts in one run on the same machine, so the ratios it prints
 * compare figures measured side by side. Each bench module exports `run(report)`.
 * `npm run bench -- NAME...` runs only the benches whose file names contain a NAME.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BenchReport {
  /** One figure: a name, a value and its unit. */
  figure(name: string, value: number, unit: string): void;
  /** A ratio against a target: printed with PASS/MISS so a reader sees at once where we stand. */
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
  for (const file of files) {
    console.log(`\n## ${file.replace(/\.bench\.ts$/, '')}`);
    const report: BenchReport = {
      figure: (name, value, unit) => console.log(`  ${name}: ${value.toFixed(3)} ${unit}`),
      ratio: (name, value, target) => {
        const ok =
          (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
        if (!ok) misses++;
        const t = [
          target.min !== undefined ? `>= ${target.min}` : '',
          target.max !== undefined ? `<= ${target.max}` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        console.log(`  ${name}: ${value.toFixed(3)} (target ${t}) ${ok ? 'PASS' : 'MISS'}`);
      },
      note: (text) => console.log(`  ${text}`),
    };
    const mod = (await import(path.join(__dirname, file))) as { run(r: BenchReport): Promise<void> };
    await mod.run(report);
  }
  console.log(`\n${misses === 0 ? 'all targets met' : `${misses} target(s) missed`}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
