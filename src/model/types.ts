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
  /** BackendPolicies in effect, by service port name ("*" = every port without its own). Absent when none. */
  readonly backendPolicies?: Readonly<Record<string, BackendPolicyModel>>;
  /** mTLS of the Service's workloads (docs/mtls.md): annotation tower.dev/mtls, else the mesh mode; absent = disabled. */
  readonly mtls?: MtlsMode;
}

/** The BackendPolicy subset Tower applies to clusters (src/model/backend-policy.ts). */
export interface BackendPolicyModel {
  readonly lb?: 'round-robin' | 'least-request' | 'random' | 'ring-hash' | 'maglev';
  /** What ring-hash / maglev hash on (RouteAction hash_policy on every route to the Service). */
  readonly hash?: HashPolicyModel;
  readonly circuitBreaker?: { readonly maxConnections?: number; readonly maxPendingRequests?: number; readonly maxRequests?: number; readonly maxRetries?: number };
  readonly outlierDetection?: {
    readonly consecutive5xx?: number;
    readonly consecutiveGatewayErrors?: number;
    readonly intervalMs?: number;
    readonly baseEjectionTimeMs?: number;
    readonly maxEjectionPercent?: number;
  };
  readonly connectTimeoutMs?: number;
  readonly http2?: boolean;
  readonly healthCheck?: HealthCheckModel;
  readonly tls?: BackendTlsModel;
  readonly source: SourceRef;
}

export type HashPolicyModel =
  | { readonly type: 'header'; readonly name: string }
  | { readonly type: 'cookie'; readonly name: string; readonly ttlMs?: number; readonly path?: string }
  | { readonly type: 'source-ip' };

/** Active health checking (Envoy Cluster.health_checks). */
export interface HealthCheckModel {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly http?: { readonly path: string; readonly host?: string; readonly method?: string; readonly expectedStatuses?: readonly number[] };
  readonly grpc?: { readonly service?: string; readonly authority?: string };
}

/** Upstream TLS of a BackendPolicy. */
export interface BackendTlsModel {
  /** SNI sent; also the DNS SAN verified when subjectAltNames is absent. Default: the Service hostname (filled by the translator). */
  readonly sni?: string;
  readonly subjectAltNames?: readonly { readonly type: 'dns' | 'uri'; readonly value: string }[];
  /** Trust: the system bundle, or CA certificates from Secrets (key ca.crt) in the policy namespace. */
  readonly trust: { readonly kind: 'system' } | { readonly kind: 'refs'; readonly refs: readonly { readonly kind: 'Secret' | 'ConfigMap'; readonly namespace: string; readonly name: string }[] };
  /** Resolved when attached to a Service: the PEM bundle (base64) of every ref that exists; absent when none does. */
  readonly caBundle?: string;
}

/** CA certificates (key ca.crt) of a Secret of any type, base64 PEM. */
export interface CaBundleModel {
  readonly namespace: string;
  readonly name: string;
  readonly caCertificates: string;
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
  /** Namespaces whose routes may attach (absent = Same); see src/model/gateway-api.ts. */
  readonly allowedRoutes?: AllowedRoutesModel;
  /** Field path of the listener in its Gateway object, e.g. "spec.listeners[1]". */
  readonly path: string;
}

export interface AllowedRoutesModel {
  readonly from: 'Same' | 'All' | 'Selector';
  readonly matchLabels?: Readonly<Record<string, string>>;
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

export interface ValueMatchModel {
  readonly name: string;
  readonly type: 'exact' | 'regex';
  readonly value: string;
}

/** AND of path, headers, query parameters and method (RoutePolicy matches; defaults only use path). */
export interface RouteMatchModel {
  /** regex is RE2 (Envoy safe_regex), already checked by the RoutePolicy schema. */
  readonly path: { readonly type: 'prefix' | 'exact' | 'regex'; readonly value: string };
  readonly headers?: readonly ValueMatchModel[];
  readonly queryParams?: readonly ValueMatchModel[];
  /** HTTP method, matched as the ":method" header. */
  readonly method?: string;
}

export interface HeaderModifierModel {
  readonly set?: readonly { readonly name: string; readonly value: string }[];
  readonly add?: readonly { readonly name: string; readonly value: string }[];
  readonly remove?: readonly string[];
}

export interface PathModifierModel {
  readonly type: 'full' | 'prefix';
  readonly value: string;
}

export interface RedirectModel {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: PathModifierModel;
  readonly statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface RewriteModel {
  readonly hostname?: string;
  readonly path?: PathModifierModel;
}

export interface MirrorModel {
  readonly backend: BackendRefModel;
  /** 0..100 */
  readonly percent: number;
  /** Index of the RequestMirror filter in spec.rules[i].filters, for error paths. */
  readonly filterIndex?: number;
}

export interface CorsModel {
  readonly allowOrigins: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAgeSeconds?: number;
  readonly allowCredentials?: boolean;
}

export interface FaultModel {
  readonly delay?: { readonly fixedDelayMs: number; readonly percent: number };
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: number; readonly percent: number };
}

export interface LocalRateLimitModel {
  /** Tokens added every fillIntervalMs. */
  readonly requests: number;
  readonly fillIntervalMs: number;
  /** Bucket size = requests + burst. */
  readonly burst: number;
}

export interface RetryModel {
  readonly attempts: number;
  readonly retryOn: readonly string[];
  readonly retriableStatusCodes?: readonly number[];
  readonly perTryTimeoutMs?: number;
  readonly backoff?: { readonly baseIntervalMs?: number; readonly maxIntervalMs?: number };
}

/** What a RoutePolicy rule does besides forwarding (all optional). */
export interface RouteFiltersModel {
  readonly requestHeaders?: HeaderModifierModel;
  readonly responseHeaders?: HeaderModifierModel;
  readonly redirect?: RedirectModel;
  readonly rewrite?: RewriteModel;
  readonly mirrors?: readonly MirrorModel[];
  readonly cors?: CorsModel;
  readonly fault?: FaultModel;
  readonly rateLimit?: LocalRateLimitModel;
}

export interface RouteRuleModel {
  readonly matches: readonly RouteMatchModel[];
  /** spec.rules[i].name of a RoutePolicy (SecurityPolicy targetRefs sectionName names it). */
  readonly name?: string;
  readonly backends: readonly BackendRefModel[];
  /** Index of the rule in its source object (spec.rules[i]); absent for default routes. */
  readonly index?: number;
  readonly filters?: RouteFiltersModel;
  /** Whole exchange, all retries included; 0 disables. */
  readonly timeoutMs?: number;
  /** Each try (Envoy per_try_timeout); 0 disables. */
  readonly perTryTimeoutMs?: number;
  readonly retry?: RetryModel;
}

/**
 * Where a route applies. 'service-default' routes are generated per service
 * port (the mesh's implicit routing); 'gateway' routes come from HTTPRoutes
 * and RoutePolicies with Gateway parents; 'service' routes from RoutePolicies
 * with Service parents (GAMMA, east-west): they replace the service's default
 * route for sidecars and proxyless clients.
 */
export type RouteParent =
  | { readonly kind: 'service-default'; readonly service: ObjectRef; readonly port: number }
  | { readonly kind: 'gateway'; readonly gateway: ObjectRef; readonly sectionName?: string; readonly port?: number }
  | { readonly kind: 'service'; readonly service: ObjectRef; readonly port?: number };

export interface RouteModel {
  /** Unique: "default/<ns>/<name>/<port>", "httproute/<ns>/<name>" or "routepolicy/<ns>/<name>". */
  readonly key: string;
  readonly parents: readonly RouteParent[];
  /** Host names the route serves (for defaults: the service FQDN). */
  readonly hostnames: readonly string[];
  readonly rules: readonly RouteRuleModel[];
  readonly source: SourceRef;
  /** metadata.creationTimestamp (RoutePolicy), for conflict resolution: the oldest wins. */
  readonly createdAt?: string;
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
  /** Mesh mTLS (docs/mtls.md); absent = disabled. The trust domain is clusterDomain. */
  readonly mtls?: MeshMtlsConfig;
}

/** Mesh mTLS mode: what sidecars accept inbound, and whether callers originate mTLS to a Service. */
export const mtlsModes = ['disabled', 'permissive', 'strict'] as const;
export type MtlsMode = (typeof mtlsModes)[number];

/** Workload identity certificates, read by translators (the running Tower's mesh CA, src/mesh-ca). */
export interface MeshIdentitySource {
  readonly rootCertPem: string;
  identity(namespace: string, serviceAccount: string): { readonly certChainPem: string; readonly privateKeyPem: string } | undefined;
}

export interface MeshMtlsConfig {
  /** The mesh-wide mode; a Service's tower.dev/mtls annotation overrides it. */
  readonly mode: MtlsMode;
  /** Absent in `tower dump` and golden tests: the identity Secrets then carry placeholders. */
  readonly identities?: MeshIdentitySource;
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
  /** SecurityPolicies in effect (src/model/security-policy.ts); absent when there are none. */
  readonly securityPolicies?: readonly SecurityPolicyModel[];
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
  | 'route-conflict'
  | 'policy-conflict'
  | 'unsupported-policy'
  | 'missing-target'
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

/** A path match of a SecurityPolicy (JWT rule, authorization `to.paths`). */
export interface SecurityPathModel {
  readonly type: 'prefix' | 'exact' | 'regex';
  readonly value: string;
}

export interface JwtProviderModel {
  readonly name: string;
  readonly issuer?: string;
  readonly audiences?: readonly string[];
  /** Inline JWKS JSON. */
  readonly localJwks?: string;
  /** https URI of the JWKS, its host and port (for the fetch cluster). */
  readonly remoteJwks?: { readonly uri: string; readonly host: string; readonly port: number; readonly cacheDurationMs?: number };
  readonly claimToHeaders?: readonly { readonly claim: string; readonly header: string }[];
  readonly forward?: boolean;
}

export interface JwtModel {
  readonly providers: readonly JwtProviderModel[];
  /** First match applies; absent = a token from any provider on every request. */
  readonly rules?: readonly { readonly path: SecurityPathModel; readonly providers?: readonly string[]; readonly optional?: boolean }[];
}

export interface AuthorizationRuleModel {
  readonly name: string;
  readonly action: 'allow' | 'deny';
  /** SPIFFE ids are built from these: spiffe://<clusterDomain>/ns/<ns>/sa/<sa>. */
  readonly principals?: readonly { readonly namespace: string; readonly serviceAccount?: string }[];
  readonly jwtClaims?: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly paths?: readonly SecurityPathModel[];
  readonly methods?: readonly string[];
  readonly headers?: readonly { readonly name: string; readonly values: readonly string[] }[];
}

export interface AuthorizationModel {
  readonly defaultAction: 'allow' | 'deny';
  readonly rules: readonly AuthorizationRuleModel[];
}

/** Where a SecurityPolicy applies to a whole HCM (RoutePolicy targets are in SecurityPolicyModel.routeTargets); index = spec.targetRefs[index]. */
export type SecurityTargetModel =
  | { readonly kind: 'gateway'; readonly gateway: ObjectRef; readonly sectionName?: string; readonly index: number }
  | { readonly kind: 'service'; readonly service: ObjectRef; readonly portName?: string; readonly index: number };

/** A RoutePolicy target (per-route security): every rule, or the rule named sectionName. */
export interface SecurityRouteTargetModel {
  readonly routePolicy: ObjectRef;
  readonly sectionName?: string;
  readonly index: number;
}

export interface SecurityPolicyModel {
  /** "ns/name". */
  readonly key: string;
  readonly targets: readonly SecurityTargetModel[];
  /** RoutePolicy targets (translators/security-filters.ts applies them per route); absent when none. */
  readonly routeTargets?: readonly SecurityRouteTargetModel[];
  readonly jwt?: JwtModel;
  readonly authorization?: AuthorizationModel;
  readonly source: SourceRef;
  readonly createdAt?: string;
}
