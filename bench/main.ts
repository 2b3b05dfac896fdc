/**
 * `npm run bench`: Tower's benchmark harness.
 *
 *   node dist/bench/main.js [--scenario NAME[,NAME]] [--quick] [--json] [--translator auto|fallback] [--variant sotw|delta] [--cpu-prof]
 *
 * Scenarios: endpoint-convergence, translation, memory, reconnect-storm,
 * delta-vs-sotw, sustained-churn (default: all, in that order). Tower, the
 * baseline and the simulated Envoys each run in their own processes.
 */
import * as path from 'node:path';
import { endpointConvergence } from './scenarios/endpoint-convergence';
import { translation } from './scenarios/translation';
import { memory } from './scenarios/memory';
import { reconnectStorm } from './scenarios/reconnect-storm';
import { deltaVsSotw } from './scenarios/delta-vs-sotw';
import { sustainedChurn } from './scenarios/sustained-churn';
import type { RunOptions, ScenarioResult } from './scenarios/types';
import { humanReport, jsonReport, machine } from './report';

export const scenarios: Record<string, (o: RunOptions) => Promise<ScenarioResult>> = {
  'endpoint-convergence': endpointConvergence,
  translation,
  memory,
  'reconnect-storm': reconnectStorm,
  'delta-vs-sotw': deltaVsSotw,
  'sustained-churn': sustainedChurn,
};

export interface CliOptions { names: string[]; json: boolean; run: RunOptions }

const usage = `usage: node dist/bench/main.js [--scenario NAME[,NAME...]] [--quick] [--json] [--translator auto|fallback] [--variant sotw|delta] [--churn-target tower|baseline] [--cpu-prof] [--scale F]
scenarios: ${Object.keys(scenarios).join(', ')}`;

export function parseArgs(argv: readonly string[]): CliOptions {
  const names: string[] = [];
  let json = false;
  let quick = false;
  let scale = 1;
  let translator: 'auto' | 'fallback' = 'auto';
  let variant: 'sotw' | 'delta' = 'sotw';
  let churnTarget: 'tower' | 'baseline' = 'tower';
  const towerExecArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value\n${usage}`);
      return v;
    };
    if (a === '--scenario') names.push(...value().split(',').filter(Boolean));
    else if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--scale') {
      scale = Number(value());
      if (!(scale > 0 && scale <= 10)) throw new Error(`bench: --scale must be a number in (0, 10], got ${argv[i]}`);
    } else if (a === '--translator') {
      const v = value();
      if (v !== 'auto' && v !== 'fallback') throw new Error(`bench: --translator must be auto or fallback, got ${v}`);
      translator = v;
    } else if (a === '--variant') {
      const v = value();
      if (v !== 'sotw' && v !== 'delta') throw new Error(`bench: --variant must be sotw or delta, got ${v}`);
      variant = v;
    } else if (a === '--churn-target') {
      const v = value();
      if (v !== 'tower' && v !== 'baseline') throw new Error(`bench: --churn-target must be tower or baseline, got ${v}`);
      churnTarget = v;
    } else if (a === '--cpu-prof') towerExecArgv.push('--cpu-prof', `--cpu-prof-dir=${path.resolve('bench-profiles')}`);
    else if (a === '--help' || a === '-h') throw new Error(usage);
    else throw new Error(`bench: unknown argument ${a}\n${usage}`);
  }
  for (const n of names) if (!scenarios[n]) throw new Error(`bench: unknown scenario ${n}\n${usage}`);
  return { names: names.length ? names : Object.keys(scenarios), json, run: { quick, variant, churnTarget, scale, translator, towerExecArgv, log: () => undefined } };
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const m = machine();
  const command = `node dist/bench/main.js ${argv.join(' ')}`.trim();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  opts.run.log = log;
  if (!opts.json) process.stdout.write(`Tower bench on ${m.cpus} x ${m.cpuModel}, ${m.memoryMiB} MiB, node ${m.node}\n`);
  let failures = 0;
  for (const name of opts.names) {
    log(`[bench] ${name}${opts.run.quick ? ' (quick)' : ''}`);
    let r: ScenarioResult;
    const t0 = Date.now();
    try {
      r = await scenarios[name](opts.run);
    } catch (err) {
      failures++;
      r = { scenario: name, title: name, setup: {}, figures: {}, goals: [], notes: [], durationMs: Date.now() - t0, error: (err as Error).stack ?? String(err) };
    }
    process.stdout.write(`${opts.json ? jsonReport(r, command, m) : humanReport(r)}\n`);
  }
  return failures ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { process.stderr.write(`${(err as Error).stack}\n`); process.exitCode = 1; });
}
