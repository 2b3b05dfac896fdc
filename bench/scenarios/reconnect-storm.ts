/**
 * Scenario 4: reconnect storm. N clients hold their config; the server is
 * killed (SIGKILL) and restarted on the same port; every client reconnects
 * with Envoy's jittered exponential backoff and must receive and ACK its
 * full config again. The same storm runs first against the baseline (a
 * minimal grpc-js server fed by the same translator, so it restarts the same
 * way: proto loading, then translation) and then against Tower, so Tower's
 * figure can be read against what the machine and the harness allow. The
 * restarted server's RSS is sampled from /proc every 100 ms.
 */
import { nowMs } from '../clock';
import type { Fleet } from '../fleet';
import { rssOf } from '../ipc';
import { round, summarize } from '../stats';
import type { Target, TargetKind } from '../target';
import { connectFleet, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';
import type { MeshSpec } from '../mesh';

interface StormRun {
  readonly figures: Record<string, unknown>;
  readonly allMs: number;
  readonly peakRss: number;
  readonly exhausted: number;
  readonly translator: string;
  readonly timedOut: string;
}

async function stormOnce(kind: TargetKind, mesh: MeshSpec, clients: number, o: RunOptions): Promise<StormRun> {
  let target: Target | undefined;
  let fleet: Fleet | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    target = await startTarget(kind, mesh, o);
    const port = target.port;
    o.log(`  ${kind}: connecting ${clients} clients (ramped over ${o.quick ? 3 : 10} s)`);
    const c = await connectFleet(target, { clients, variant: o.variant, rampMs: o.quick ? 3_000 : 10_000, clientsPerWorker: 500 }, 300_000);
    fleet = c.fleet;
    const beforeRss = target.rss();
    o.log(`  ${kind}: all synced in ${round(c.syncMs)} ms; killing it`);
    const cpu0 = (await fleet.stats()).cpuMs;
    const kindsBefore = new Map(fleet.errorKinds);
    const killedAt = nowMs();
    await target.stop(true);
    // Listening first, then building, as Tower starts (src/app/start-tower.ts): early clients hold their streams.
    target = await startTarget(kind, mesh, o, port, true);
    const listeningAt = target.build.listeningAt ?? nowMs();
    const builtAt = nowMs();
    const cpu1 = (await fleet.stats()).cpuMs;
    const cpu1At = nowMs();
    let peak = 0;
    const pid = target.pid;
    sampler = setInterval(() => { peak = Math.max(peak, rssOf(pid) ?? 0); }, 100);
    let timedOut = '';
    try {
      await fleet.waitAllReady(killedAt, 120_000);
    } catch (err) {
      timedOut = (err as Error).message;
    }
    clearInterval(sampler);
    sampler = undefined;
    peak = Math.max(peak, target.rss());
    const cpu2 = (await fleet.stats()).cpuMs;
    const readyAt = nowMs();
    const readyTimes = [...fleet.ready.values()].filter((r) => r.at >= killedAt).map((r) => r.at - listeningAt);
    const s = summarize(readyTimes);
    const exhausted = fleet.errorCodes.get(8) ?? 0;
    const allMs = readyTimes.length >= clients ? s.max + (listeningAt - killedAt) : NaN;
    return {
      figures: {
        initialSyncMs: round(c.syncMs), restartToListeningMs: round(listeningAt - killedAt), restartToBuiltMs: round(builtAt - killedAt),
        restartBuild: { protoLoadMs: round(target.build.protoLoadMs ?? NaN), translateMs: round(target.build.translateMs) },
        killToAllAckedMs: round(allMs), listeningToReadyMs: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)])),
        clientsReady: readyTimes.length, rssBeforeMiB: round(beforeRss / 2 ** 20), peakRssMiB: round(peak / 2 ** 20),
        streamErrors: Object.fromEntries(fleet.errorCodes), resourceExhausted: exhausted,
        stormErrorKinds: Object.fromEntries([...fleet.errorKinds].map(([k, n]) => [k, n - (kindsBefore.get(k) ?? 0)] as const).filter(([, n]) => n > 0)),
        // CPU of the simulated Envoys' processes (cores = CPU time / wall time): while the server restarts, then until all re-ACKed
        harnessCores: { restart: round((cpu1 - cpu0) / (cpu1At - killedAt)), recovery: round((cpu2 - cpu1) / (readyAt - cpu1At)) },
      },
      allMs, peakRss: peak, exhausted, translator: target.build.translator, timedOut,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await fleet?.stop();
    await target?.stop();
  }
}

export async function reconnectStorm(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(100, o), endpointsPerService: 10, zones: 3 };
  const clients = scaled(o.quick ? 500 : 5000, o);
  const baseline = await stormOnce('baseline', mesh, clients, o);
  const tower = await stormOnce('tower', mesh, clients, o);
  const ratio = tower.allMs / baseline.allMs;
  return {
    scenario: 'reconnect-storm',
    title: `Reconnect storm: server restarted under ${clients} clients (${mesh.services} services), baseline then Tower`,
    setup: { mesh, clients, variant: o.variant, backoff: 'jittered exponential, 500 ms base, 30 s cap (Envoy ADS defaults)', translator: tower.translator },
    figures: { baseline: baseline.figures, tower: tower.figures, towerToBaseline: round(ratio) },
    goals: [
      goal('all clients re-ACKed full config after kill', '<= 30000 ms', tower.allMs, 'ms', (v) => v <= 30_000),
      goal('kill to all re-ACKed, Tower / baseline', '<= 1.5x', ratio, 'x', (v) => v <= 1.5),
      goal('peak Tower RSS during the storm', '<= 2048 MiB', tower.peakRss / 2 ** 20, 'MiB', (v) => v <= 2048),
      goal('RESOURCE_EXHAUSTED stream errors', '= 0', tower.exhausted, 'count', (v) => v === 0),
    ],
    notes: [baseline.timedOut && `baseline: ${baseline.timedOut}`, tower.timedOut && `tower: ${tower.timedOut}`].filter((n): n is string => !!n),
    durationMs: Date.now() - started,
  };
}
