/**
 * Measures compileResource (strict decode + validate + encode + Resource) for
 * 10,000 EDS clusters and 10,000 ClusterLoadAssignments × 10 endpoints.
 * Run: node dist/scripts/measure-compile.js [clusters] [endpointsPerAssignment]
 */
import { compileResource } from '../src/envoy/compile';
import { TypeUrl } from '../src/envoy/type-urls';
import { envoyRoot } from '../src/envoy/proto-root';

function cluster(name: string): unknown {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
    connect_timeout: '5s',
    lb_policy: 'ROUND_ROBIN',
    circuit_breakers: { thresholds: [{ max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 }] },
    common_lb_config: { healthy_panic_threshold: { value: 50 } },
  };
}

function assignment(name: string, i: number, endpoints: number): unknown {
  const lb = [];
  for (let e = 0; e < endpoints; e++) {
    lb.push({
      endpoint: { address: { socket_address: { address: `10.${(i >> 8) & 255}.${i & 255}.${e + 1}`, port_value: 8080 } } },
      health_status: 'HEALTHY',
      load_balancing_weight: 1,
    });
  }
  return { cluster_name: name, endpoints: [{ locality: { region: 'r1', zone: 'z1' }, lb_endpoints: lb }] };
}

function main(): void {
  const n = Number(process.argv[2] ?? 10000);
  const per = Number(process.argv[3] ?? 10);
  envoyRoot();
  const clusters = Array.from({ length: n }, (_, i) => cluster(`outbound|8080||svc-${i}.ns.svc.cluster.local`));
  const cla = Array.from({ length: n }, (_, i) => assignment(`outbound|8080||svc-${i}.ns.svc.cluster.local`, i, per));
  // Warm-up: rule compilation for both types (done once per process).
  compileResource(TypeUrl.Cluster, 'outbound|8080||svc-0.ns.svc.cluster.local', clusters[0]);
  compileResource(TypeUrl.ClusterLoadAssignment, 'outbound|8080||svc-0.ns.svc.cluster.local', cla[0]);
  // Wall time is reported, but on a shared machine CPU time (user + system) is the steadier figure.
  let bestWall = Infinity;
  let bestCpu = Infinity;
  const rounds = Number(process.argv[4] ?? 5);
  for (let round = 0; round < rounds; round++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const name = `outbound|8080||svc-${i}.ns.svc.cluster.local`;
      if (!compileResource(TypeUrl.Cluster, name, clusters[i]).ok) bad++;
      if (!compileResource(TypeUrl.ClusterLoadAssignment, name, cla[i]).ok) bad++;
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e3;
    bestWall = Math.min(bestWall, wall);
    bestCpu = Math.min(bestCpu, cpu);
    console.log(`round ${round}: ${n} clusters + ${n} assignments x ${per} endpoints: wall ${wall.toFixed(0)} ms, cpu ${cpu.toFixed(0)} ms (${bad} failed)`);
  }
  console.log(`best: wall ${bestWall.toFixed(0)} ms, cpu ${bestCpu.toFixed(0)} ms`);
}

main();
