/** What every scenario returns: setup, figures and goals, printable and JSON-serializable. */
export interface Goal {
  name: string;
  /** Human statement of the goal, e.g. "<= 150 ms". */
  target: string;
  value: number | string;
  unit: string;
  /** null when the goal could not be evaluated (e.g. the baseline failed). */
  pass: boolean | null;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  setup: Record<string, unknown>;
  figures: Record<string, unknown>;
  goals: Goal[];
  notes: string[];
  durationMs: number;
  error?: string;
}

export interface RunOptions {
  quick: boolean;
  /** ADS variant of the simulated Envoys in memory, reconnect-storm and sustained-churn. */
  variant: 'sotw' | 'delta';
  /** Server measured by sustained-churn (baseline: to see what the harness itself sustains). */
  churnTarget: 'tower' | 'baseline';
  /** Scale factor for sizes (tests use a tiny fraction). */
  scale: number;
  translator: 'auto' | 'fallback';
  /** Extra node flags for Tower's process (e.g. --cpu-prof). */
  towerExecArgv: string[];
  log: (line: string) => void;
}

export function goal(name: string, target: string, value: number, unit: string, ok: (v: number) => boolean): Goal {
  if (Number.isNaN(value)) return { name, target, value: 'n/a', unit, pass: null };
  if (!Number.isFinite(value)) return { name, target, value: 'unbounded', unit, pass: ok(value) };
  return { name, target, value: Math.round(value * 100) / 100, unit, pass: ok(value) };
}

/** Scales a size, never below min. */
export function scaled(n: number, o: RunOptions, min = 1): number {
  return Math.max(min, Math.round(n * o.scale));
}
