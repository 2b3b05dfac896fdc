/** HttpConnectionManager.Tracing to an OpenTelemetry collector (envoy.tracers.opentelemetry). */
import type { MeshModel } from '../src/model/types';
import { any } from './config-source';
import { outboundClusterName } from './names';
import type { Json } from './types';
import { serviceHostname } from '../src/model/build-service';

/** Tracing config when the model names a collector that exists; undefined otherwise. */
export function openTelemetryTracing(model: MeshModel, serviceName: string): Json | undefined {
  const t = model.config.tracing;
  if (!t) return undefined;
  const svc = model.services[`${t.collector.namespace}/${t.collector.name}`];
  if (!svc || !svc.ports.some((p) => p.port === t.collector.port)) return undefined;
  const cluster = outboundClusterName({ hostname: serviceHostname(svc.namespace, svc.name, model.config.clusterDomain) }, t.collector.port);
  return {
    provider: {
      name: 'envoy.tracers.opentelemetry',
      typed_config: any('envoy.config.trace.v3.OpenTelemetryConfig', {
        grpc_service: { envoy_grpc: { cluster_name: cluster }, timeout: '0.250s' },
        service_name: serviceName,
      }),
    },
    random_sampling: { value: t.samplingPercent ?? 100 },
  };
}
