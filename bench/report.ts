/** Human and JSON output of benchmark results, with the machine they ran on. */
import * as os from 'node:os';
import type { ScenarioResult } from './scenarios/types';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryMiB: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    kernel: os.release(),
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function humanReport(r: ScenarioResult): string {
  const lines = [`== ${r.scenario}: ${r.title} (${(r.durationMs / 1000).toFixed(1)} s)`];
  if (r.error) lines.push(`   ERROR: ${r.error}`);
  const rows = r.goals.map((g) => [g.name, g.target, `${g.value} ${g.unit}`, g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'MISS']);
  const w = [0, 1, 2].map((i) => Math.max(8, ...rows.map((row) => row[i].length)));
  if (rows.length) {
    lines.push(`   ${pad('goal', w[0])}  ${pad('target', w[1])}  ${pad('measured', w[2])}  result`);
    for (const row of rows) lines.push(`   ${pad(row[0], w[0])}  ${pad(row[1], w[1])}  ${pad(row[2], w[2])}  ${row[3]}`);
  }
  for (const [k, v] of Object.entries(r.figures)) lines.push(`   ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  for (const n of r.notes) lines.push(`   note: ${n}`);
  return lines.join('\n');
}

export function jsonReport(r: ScenarioResult, command: string, m: Machine): string {
  return JSON.stringify({ ...r, command, machine: m, date: new Date().toISOString() });
}
