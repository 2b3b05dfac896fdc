/**
 * Scenario 3: memory. Tower's RSS (read from /proc/PID/status, after a full
 * GC and a settle pause) with no clients, then with a third, two thirds and
 * all of the clients connected and idle. Per-client cost = the least-squares
 * RSS slope over those three points (the first clients also pay for one-off
 * buffers, so the idle point is not in the fit).
 */
import type { Fleet } from '../fleet';
import { round } from '../stats';
import type { Target } from '../target';
import { connectFleet, sleep, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';

async function settledRss(t: Target): Promise<{ rss: number; heapUsed: number }> {
  await sleep(1000);
  await t.gc();
  await sleep(500);
  await t.gc();
  const s = await t.stats();
  return { rss: t.rss(), heapUsed: s.heapUsed };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2; }
  return num / den;
}

export async function memory(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(1000, o), endpointsPerService: 10, zones: 3 };
  const total = scaled(o.quick ? 150 : 1000, o, 3);
  const steps = 3;
  const fleets: Fleet[] = [];
  let target: Target | undefined;
  try {
    target = await startTarget('tower', mesh, o);
    const idle = await settledRss(target);
    o.log(`  tower idle RSS ${round(idle.rss / 2 ** 20)} MiB`);
    const xs: number[] = [];
    const rss: number[] = [];
    const heap: number[] = [];
    let connected = 0;
    for (let k = 1; k <= steps; k++) {
      const upTo = Math.round((total * k) / steps);
      fleets.push((await connectFleet(target, { clients: upTo - connected, variant: o.variant, indexOffset: connected }, 180_000)).fleet);
      connected = upTo;
      const m = await settledRss(target);
      xs.push(connected);
      rss.push(m.rss);
      heap.push(m.heapUsed);
      o.log(`  RSS with ${connected} clients: ${round(m.rss / 2 ** 20)} MiB (heap ${round(m.heapUsed / 2 ** 20)} MiB)`);
    }
    const perClient = slope(xs, rss);
    const perClientHeap = slope(xs, heap);
    const full = rss[rss.length - 1];
    return {
      scenario: 'memory',
      title: `Memory: Tower RSS with ${mesh.services} services and up to ${total} idle clients`,
      setup: { mesh, clients: total, steps: xs, variant: o.variant, translator: target.build.translator, method: 'RSS from /proc/PID/status after two full GCs and 1.5 s settle; per-client = least-squares slope over the client steps' },
      figures: {
        idleRssMiB: round(idle.rss / 2 ** 20), idleHeapUsedMiB: round(idle.heapUsed / 2 ** 20),
        rssMiB: rss.map((v) => round(v / 2 ** 20)), heapUsedMiB: heap.map((v) => round(v / 2 ** 20)),
        rssPerClientKiB: round(perClient / 1024), heapPerClientKiB: round(perClientHeap / 1024),
      },
      goals: [
        goal('RSS per additional idle client', '<= 64 KiB', perClient / 1024, 'KiB', (v) => v <= 64),
        goal(`total RSS, ${mesh.services} services + ${total} clients`, '<= 300 MiB', full / 2 ** 20, 'MiB', (v) => v <= 300),
      ],
      notes: [],
      durationMs: Date.now() - started,
    };
  } finally {
    for (const f of fleets) await f.stop();
    await target?.stop();
  }
}
