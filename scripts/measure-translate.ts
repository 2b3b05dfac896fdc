/**
 * Measures the pipeline: N services × M endpoints translated cold to a
 * compiled table for one role, then one EndpointSlice change re-translated
 * and re-encoded. Usage: node dist/scripts/measure-translate.js [services] [endpoints] [role] [--warm[=N]] [--compare-decode[=passes]]
 * Figures are wall and CPU (process.cpuUsage: compare CPU on a shared machine).
 * --compare-decode: afterwards, strict decode + validation of every resource
 * of the cold table by the fused one-pass decoder and by the reference
 * (decoder, then validation walk), interleaved passes, median CPU of each.
 * --compile-only=fused|reference: instead, translate with a no-op compiler,
 * then compile every resource once, cold, in this fresh process: by
 * compileResource (fused decode+validate, reused Writer) or by the reference
 * path (decode, validation walk, encode, copy into the Resource); CPU only.
 */
import { checkMessage, compileResource } from '../src/envoy/compile';
import { typeForUrl } from '../src/envoy/proto-root';
import { makeResource, type Resource } from '../src/xds/resource';
import type { Compiler } from '../src/pipeline/compiler';
import { defaultCompiler } from '../src/pipeline/default-compiler';
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

/** --compile-only: the cold compile of one table alone, by one of the two paths. */
function compileOnly(changes: ObjectChange[], roleFlag: string, mode: string): void {
  const specs: { typeUrl: string; name: string; json: unknown }[] = [];
  const noop: Compiler = {
    compile: (typeUrl, name, json, sources = []) => {
      specs.push({ typeUrl, name, json });
      const b = new Uint8Array(0);
      return { ok: true, resource: { typeUrl, name, version: '', body: b, any: b, deltaResource: b, sources }, json };
    },
    crossRefs: () => [],
  };
  typeForUrl(TypeUrl.Cluster); // loads the protos, outside the figure
  const mt = new MeshTranslator({ compiler: noop });
  mt.update(changes);
  mt.addView(roleFromFlag(roleFlag, { namespace: 'ns-0' }));
  const out: Resource[] = [];
  const c = process.cpuUsage();
  for (const s of specs) {
    if (mode === 'reference') {
      const type = typeForUrl(s.typeUrl);
      const r = type && checkMessage(type, s.json, { typeUrl: s.typeUrl, reference: true });
      if (!type || !r?.message || r.errors.length) throw new Error(`${s.typeUrl} ${s.name} did not compile`);
      out.push(makeResource(s.typeUrl, s.name, type.encode(r.message).finish()));
    } else {
      const r = compileResource(s.typeUrl, s.name, s.json);
      if (!r.ok) throw new Error(`${s.typeUrl} ${s.name} did not compile`);
      out.push(r.resource);
    }
  }
  console.log(`cold compile of ${out.length} resources (${mode}): ${cpuMs(c).toFixed(0)} ms CPU`);
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
  const only = process.argv.find((a) => a.startsWith('--compile-only='));
  if (only) {
    compileOnly(changes, roleFlag, only.slice('--compile-only='.length));
    return;
  }
  // Keeps what the cold view compiled, for --compare-decode.
  const compareFlag = process.argv.find((a) => a === '--compare-decode' || a.startsWith('--compare-decode='));
  const compiled: { typeUrl: string; json: unknown }[] = [];
  const base = defaultCompiler();
  const compiler: Compiler = compareFlag
    ? { compile: (typeUrl, name, json, sources) => { compiled.push({ typeUrl, json }); return base.compile(typeUrl, name, json, sources); }, crossRefs: base.crossRefs }
    : base;
  const mt = new MeshTranslator({ compiler });
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
  if (compareFlag) compareDecode(compiled, compareFlag.includes('=') ? Number(compareFlag.slice(compareFlag.indexOf('=') + 1)) : 5);
  console.log(`one EndpointSlice change, 2 views (model+translate+encode+publish): median ${times[10]?.toFixed(2)} ms wall / ${cpuTimes[10]?.toFixed(2)} ms CPU, p95 ${times[18]?.toFixed(2)} ms wall / ${cpuTimes[18]?.toFixed(2)} ms CPU`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Fused one-pass decode+validate against the reference (decode, then walk), interleaved, over the same resources. */
function compareDecode(items: readonly { typeUrl: string; json: unknown }[], passes: number): void {
  const typed = items.map((x) => ({ ...x, type: typeForUrl(x.typeUrl) }));
  const cpu: Record<'reference' | 'fused', number[]> = { reference: [], fused: [] };
  for (let p = 0; p <= passes; p++) {
    for (const mode of ['reference', 'fused'] as const) {
      const c = process.cpuUsage();
      for (const x of typed) {
        if (!x.type) continue;
        const r = checkMessage(x.type, x.json, { typeUrl: x.typeUrl, reference: mode === 'reference' });
        if (r.errors.length) throw new Error(`${x.typeUrl}: ${JSON.stringify(r.errors[0])}`);
      }
      if (p > 0) cpu[mode].push(cpuMs(c)); // pass 0 warms both up
    }
  }
  const ref = median(cpu.reference);
  const fused = median(cpu.fused);
  console.log(`decode+validate of the ${typed.length} resources, median of ${passes} interleaved passes: reference ${ref.toFixed(0)} ms CPU, fused ${fused.toFixed(0)} ms CPU (${((1 - fused / ref) * 100).toFixed(0)}% less)`);
}

main();
