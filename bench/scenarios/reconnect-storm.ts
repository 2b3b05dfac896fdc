/**
 * Scenario 4: reconnect storm. N clients hold their config; Tower is killed
 * (SIGKILL) and restarted on the same port; every client reconnects with
 * Envoy's jittered exponential backoff and must receive and ACK its full
 * config again. Tower's RSS is sampled from /proc every 100 ms.
 */
import { nowMs } from '../clock';
import type { Fleet } from '../fleet';
import { rssOf } from '../ipc';
import { round, summarize } from '../stats';
import type { Target } from '../target';
import { connectFleet, startTarget } from './helpers';
import { RunOptions, ScenarioResult, goal, scaled } from './types';

export async function reconnectStorm(o: RunOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const mesh = { services: scaled(100, o), endpointsPerService: 10, zones: 3 };
  const clients = scaled(o.quick ? 500 : 5000, o);
  let target: Target | undefined;
  let fleet: Fleet | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    target = await startTarget('tower', mesh, o);
    const port = target.port;
    o.log(`  connecting ${clients} clients (ramped over 10 s)`);
    const c = await connectFleet(target, { clients, variant: o.variant, rampMs: o.quick ? 3_000 : 10_000, clientsPerWorker: 500 }, 300_000);
    fleet = c.fleet;
    const beforeRss = target.rss();
    o.log(`  all synced in ${round(c.syncMs)} ms; killing Tower`);
    const killedAt = nowMs();
    await target.stop(true);
    target = await startTarget('tower', mesh, o, port);
    const listeningAt = nowMs();
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
    const readyTimes = [...fleet.ready.values()].filter((r) => r.at >= killedAt).map((r) => r.at - listeningAt);
    const s = summarize(readyTimes);
    const exhausted = fleet.errorCodes.get(8) ?? 0;
    const allMs = readyTimes.length >= clients ? s.max + (listeningAt - killedAt) : NaN;
    return {
      scenario: 'reconnect-storm',
      title: `Reconnect storm: Tower restarted under ${clients} clients (${mesh.services} services)`,
      setup: { mesh, clients, variant: o.variant, backoff: 'jittered exponential, 500 ms base, 30 s cap (Envoy ADS defaults)', translator: target.build.translator },
      figures: {
        initialSyncMs: round(c.syncMs), restartToListeningMs: round(listeningAt - killedAt),
        restartBuild: { protoLoadMs: round(target.build.protoLoadMs ?? NaN), translateMs: round(target.build.translateMs) },
        killToAllAckedMs: round(allMs), listeningToReadyMs: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)])),
        clientsReady: readyTimes.length, rssBeforeMiB: round(beforeRss / 2 ** 20), peakRssMiB: round(peak / 2 ** 20),
        streamErrors: Object.fromEntries(fleet.errorCodes), resourceExhausted: exhausted,
      },
      goals: [
        goal('all clients re-ACKed full config after kill', '<= 30000 ms', allMs, 'ms', (v) => v <= 30_000),
        goal('peak Tower RSS during the storm', '<= 2048 MiB', peak / 2 ** 20, 'MiB', (v) => v <= 2048),
        goal('RESOURCE_EXHAUSTED stream errors', '= 0', exhausted, 'count', (v) => v === 0),
      ],
      notes: timedOut ? [timedOut] : [],
      durationMs: Date.now() - started,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await fleet?.stop();
    await target?.stop();
  }
}
