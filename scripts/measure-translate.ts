/**
 * Measures the pipeline: N services × M endpoints translated cold to a
 * compiled table for one role, then one EndpointSlice change re-translated
 * and re-encoded. Usage: node dist/scripts/measure-translate.js [services] [endpoints] [role] [--warm[=N]]
 * Figures are wall and CPU (process.cpuUsage: compare CPU on a shared machine).
 */
import { compileResource } from '../src/envoy/compile';
import { TypeUrl } from '../src/envoy/type-urls';
import { roleFromFlag } from '../src/model/roles';
import { MeshTranslator } from '../src/pipeline/mesh-translator';
import { warmUpTranslation } from '../src/pipeline/warm-up';
import type { ObjectChange } from '../src/model/model-builder';

function sliceOf(i: number, m: number, gen: number): Record<string, unknown> {
  const endpoints = [];
  for (let e = 0; e < m; e++) endpoints.push({ addresses: [`10.${(i >> 8) & 255}.${i & 255}.${e + 1 + gen}`], conditions: { ready: true }, zone: `zone-${e % 3}` });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-abc`, namespace: `ns-${i % 50}`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints,
  };
}

/** CPU time (user + system) in ms since `from`. */
function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function main(): void {
  const n = Number(process.argv[2] ?? 10000);
  const m = Number(process.argv[3] ?? 10);
  const roleFlag = process.argv[4] !== undefined && !process.argv[4].startsWith('--') ? process.argv[4] : 'sidecar-explicit';
  const changes: ObjectChange[] = [];
  for (let i = 0; i < n; i++) {
    changes.push({
      type: 'upsert',
      object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: `ns-${i % 50}` }, spec: { clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
    changes.push({ type: 'upsert', object: sliceOf(i, m, 0) });
  }
  const mt = new MeshTranslator();
  // load the protos first so the figure is translation, not proto loading
  const c0 = process.cpuUsage();
  compileResource(TypeUrl.Cluster, 'warm', { name: 'warm', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });
  const cLoad = cpuMs(c0);
  // --warm[=N]: also run the start-up warm-up first (src/pipeline/warm-up.ts, N extra sample services)
  const warmFlag = process.argv.find((a) => a === '--warm' || a.startsWith('--warm='));
  const warm = warmFlag ? warmUpTranslation(warmFlag.includes('=') ? { services: Number(warmFlag.slice(7)) } : {}) : undefined;
  if (warm && warm.errors.length > 0) throw new Error(`warm-up errors: ${warm.errors.join('\n')}`);
  console.log(`proto loading: ${cLoad.toFixed(0)} ms CPU${warm ? `; warm-up: ${warm.cpuMs.toFixed(0)} ms CPU` : ''}`);
  const heap0 = process.memoryUsage().heapUsed;
  let t = process.hrtime.bigint();
  let c = process.cpuUsage();
  const r = mt.update(changes);
  const tModel = Number(process.hrtime.bigint() - t) / 1e6;
  const cModel = cpuMs(c);
  t = process.hrtime.bigint();
  c = process.cpuUsage();
  const view = mt.addView(roleFromFlag(roleFlag, { namespace: 'ns-0' }));
  const tCold = Number(process.hrtime.bigint() - t) / 1e6;
  const cCold = cpuMs(c);
  const counts = [...view.table].map(([type, byName]) => `${type.slice(type.lastIndexOf('.') + 1)}=${byName.size}`).join(' ');
  const heap1 = process.memoryUsage().heapUsed;
  t = process.hrtime.bigint();
  c = process.cpuUsage();
  mt.addView(roleFromFlag(roleFlag, { namespace: 'ns-1', labels: { app: 'second' } }));
  const tSecond = Number(process.hrtime.bigint() - t) / 1e6;
  const cSecond = cpuMs(c);
  const heap2 = process.memoryUsage().heapUsed;
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let k = 1; k <= 20; k++) {
    const slice = sliceOf(k * 7, m, k);
    t = process.hrtime.bigint();
    c = process.cpuUsage();
    const u = mt.update([{ type: 'upsert', object: slice }]);
    cpuTimes.push(cpuMs(c));
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    for (const v of u.views) if (v.changed.length !== 1) throw new Error(`expected exactly one changed resource, got ${v.changed.length}`);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  console.log(`services=${n} endpoints/service=${m} role=${roleFlag} modelErrors=${r.modelErrors.length} viewErrors=${view.errors.length}`);
  console.log(`model build (parse+build ${n * 2} objects): ${tModel.toFixed(0)} ms wall, ${cModel.toFixed(0)} ms CPU`);
  console.log(`cold translate+compile+cross-refs to table: ${tCold.toFixed(0)} ms wall, ${cCold.toFixed(0)} ms CPU (${counts})`);
  console.log(`model build + cold table: ${(cModel + cCold).toFixed(0)} ms CPU`);
  console.log(`heap: +${((heap1 - heap0) / 1048576).toFixed(0)} MiB; a second view (other namespace/labels): ${tSecond.toFixed(0)} ms wall, ${cSecond.toFixed(0)} ms CPU, +${((heap2 - heap1) / 1048576).toFixed(0)} MiB`);
  console.log(`one EndpointSlice change, 2 views (model+translate+encode+publish): median ${times[10]?.toFixed(2)} ms wall / ${cpuTimes[10]?.toFixed(2)} ms CPU, p95 ${times[18]?.toFixed(2)} ms wall / ${cpuTimes[18]?.toFixed(2)} ms CPU`);
}

main();
