/**
 * Tower's mesh model: plain, serializable data built from Kubernetes objects.
 * Every object carries the SourceRef it came from, so translation errors and
 * NACKs can be traced back to a file or a Kubernetes object.
 *
 * Keys: services, endpoints and secrets are keyed "namespace/name".
 */
import type { SourceRef } from '../xds/resource';

export type { SourceRef };

/** Application protocol of a service port, detected as Istio does (see protocol.ts). */
export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

export interface ServicePortModel {
  /** Port name, '' when the Service has a single unnamed port. */
  readonly name: string;
  readonly port: number;
  /** Container port: a number, or a port name resolved per EndpointSlice. */
  readonly targetPort: number | string;
  readonly protocol: PortProtocol;
}

export interface ServiceModel {
  readonly namespace: string;
  readonly name: string;
  /** name.namespace.svc.<clusterDomain> */
  readonly hostname: string;
  /** Virtual IP, undefined for headless services (clusterIP None). */
  readonly clusterIP?: string;
  /** Pod selector, used to find which services a sidecar serves (inbound). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortModel[];
  readonly source: SourceRef;
}

export interface EndpointModel {
  /** IP literal. */
  readonly address: string;
  /** Container port the endpoint listens on for this service port. */
  readonly port: number;
  /** 0 = ready; 1 = terminating but still serving (fallback only, see cluster-load-assignment). */
  readonly priority: 0 | 1;
  readonly zone?: string;
  readonly nodeName?: string;
  /** The EndpointSlice it came from. */
  readonly source: SourceRef;
}

/** Endpoints of one service, merged from all of its EndpointSlices, grouped by service port name. */
export interface ServiceEndpointsModel {
  readonly namespace: string;
  readonly name: string;
  /** service port name → endpoints, sorted by address then port, unique by address:port. */
  readonly byPort: Readonly<Record<string, readonly EndpointModel[]>>;
  readonly sources: readonly SourceRef[];
}

export interface TlsSecretModel {
  readonly namespace: string;
  readonly name: string;
  /** PEM certificate chain, base64 (as Kubernetes stores it). */
  readonly certificateChain: string;
  /** PEM private key, base64. */
  readonly privateKey: string;
  readonly source: SourceRef;
}

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface GatewayListenerModel {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Hostname this listener accepts (SNI for HTTPS); undefined = any. */
  readonly hostname?: string;
  /** Certificates for HTTPS listeners (kubernetes.io/tls Secrets). */
  readonly certificateRefs: readonly ObjectRef[];
}

export interface GatewayModel {
  readonly namespace: string;
  readonly name: string;
  readonly listeners: readonly GatewayListenerModel[];
  readonly source: SourceRef;
}

export interface BackendRefModel {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly weight: number;
}

export interface RouteMatchModel {
  readonly path: { readonly type: 'prefix' | 'exact'; readonly value: string };
}

export interface RouteRuleModel {
  readonly matches: readonly RouteMatchModel[];
  readonly backends: readonly BackendRefModel[];
}

/**
 * Where a route applies. 'service-default' routes are generated per service
 * port (the mesh's implicit routing); 'gateway' routes come from HTTPRoutes.
 */
export type RouteParent =
  | { readonly kind: 'service-default'; readonly service: ObjectRef; readonly port: number }
  | { readonly kind: 'gateway'; readonly gateway: ObjectRef; readonly sectionName?: string };

export interface RouteModel {
  /** Unique: "default/<ns>/<name>/<port>" or "httproute/<ns>/<name>". */
  readonly key: string;
  readonly parents: readonly RouteParent[];
  /** Host names the route serves (for defaults: the service FQDN). */
  readonly hostnames: readonly string[];
  readonly rules: readonly RouteRuleModel[];
  readonly source: SourceRef;
}

export interface TracingConfig {
  /** Service running an OpenTelemetry collector (OTLP gRPC). */
  readonly collector: { readonly namespace: string; readonly name: string; readonly port: number };
  /** 0..100, default 100. */
  readonly samplingPercent?: number;
}

export interface MeshConfig {
  /** Kubernetes cluster domain, default "cluster.local". */
  readonly clusterDomain: string;
  readonly tracing?: TracingConfig;
}

export interface MeshModel {
  readonly config: MeshConfig;
  readonly services: Readonly<Record<string, ServiceModel>>;
  readonly endpoints: Readonly<Record<string, ServiceEndpointsModel>>;
  readonly secrets: Readonly<Record<string, TlsSecretModel>>;
  /** Gateways from Gateway API objects (provisional until Tower's CRDs land). */
  readonly gateways: readonly GatewayModel[];
  /** Default per-service routes and HTTPRoutes; translators consume only these. */
  readonly routes: readonly RouteModel[];
}

export type ModelErrorCode =
  | 'invalid-object'
  | 'duplicate-port'
  | 'unsupported-service'
  | 'invalid-endpoint'
  | 'unmatched-endpoint-port'
  | 'invalid-secret'
  | 'missing-secret'
  | 'invalid-gateway'
  | 'invalid-route'
  | 'missing-backend'
  | 'invalid-config';

/** A problem in the input, naming the object and the field path within it. */
export interface ModelError {
  readonly code: ModelErrorCode;
  readonly source: SourceRef;
  /** Field path inside the source object, e.g. "spec.ports[1].name". */
  readonly path: string;
  readonly message: string;
}

export function keyOf(o: { namespace: string; name: string }): string {
  return `${o.namespace}/${o.name}`;
}

export function formatModelError(e: ModelError): string {
  const where = `${e.source.kind} ${e.source.namespace ? e.source.namespace + '/' : ''}${e.source.name}${e.source.file ? ` (${e.source.file})` : ''}`;
  return `${where}: ${e.path}: ${e.message} [${e.code}]`;
}
