/**
 * Realistic objects of each kind, shared by the schema tests and the CRD
 * tests. Functions return fresh copies so tests can mutate them.
 */
export function gatewaySample() {
  return {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'Gateway',
    metadata: { name: 'edge', namespace: 'ingress', generation: 3 },
    spec: {
      selector: { matchLabels: { app: 'edge-envoy', 'tower.dev/role': 'gateway' } },
      listeners: [
        { name: 'http', port: 8080, protocol: 'HTTP', hostnames: ['shop.example.com', '*.shop.example.com'] },
        {
          name: 'https',
          port: 8443,
          protocol: 'HTTPS',
          hostnames: ['shop.example.com'],
          tls: { certificateRefs: [{ kind: 'Secret', name: 'shop-cert' }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
      ],
    },
    status: {
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 3, lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
      listeners: [{ name: 'https', attachedRoutes: 2, conditions: [] }],
    },
  };
}

export function routePolicySample() {
  return {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name: 'shop', namespace: 'shop' },
    spec: {
      parentRefs: [{ kind: 'Gateway', namespace: 'ingress', name: 'edge', sectionName: 'https' }],
      hostnames: ['shop.example.com'],
      rules: [
        {
          name: 'api',
          matches: [
            { path: { type: 'PathPrefix', value: '/api/' }, method: 'POST' },
            { path: { type: 'PathPrefix', value: '/api/v2/' }, headers: [{ name: 'x-canary', value: 'true' }] },
          ],
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'api' }], remove: ['x-internal'] } },
            { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'cache-control', value: 'no-store' }] } },
            { type: 'URLRewrite', urlRewrite: { hostname: 'api.shop.svc.cluster.local', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
            { type: 'RequestMirror', requestMirror: { backendRef: { name: 'api-shadow', port: 8080 }, percent: 5 } },
            {
              type: 'CORS',
              cors: {
                allowOrigins: ['https://shop.example.com', 'https://*.shop.example.com'],
                allowMethods: ['GET', 'POST'],
                allowHeaders: ['content-type', 'authorization'],
                exposeHeaders: ['x-request-id'],
                maxAge: 600,
                allowCredentials: true,
              },
            },
            { type: 'FaultInjection', faultInjection: { delay: { fixedDelay: '100ms', percent: 0.5 }, abort: { httpStatus: 503, percent: 0.1 } } },
            { type: 'LocalRateLimit', localRateLimit: { requests: 100, unit: 'Second', burst: 50 } },
          ],
          backendRefs: [
            { name: 'api', port: 8080, weight: 90 },
            { name: 'api-canary', port: 8080, weight: 10 },
          ],
          timeouts: { request: '10s', backendRequest: '2s' },
          retry: {
            attempts: 3,
            retryOn: ['connect-failure', 'refused-stream', 'retriable-status-codes'],
            retriableStatusCodes: [502, 503],
            backoff: { baseInterval: '25ms', maxInterval: '250ms' },
          },
        },
        {
          name: 'legacy',
          matches: [{ path: { type: 'Exact', value: '/old' } }],
          filters: [
            { type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'shop.example.com', path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, statusCode: 301 } },
          ],
        },
        {
          name: 'orders',
          matches: [
            { path: { type: 'RegularExpression', value: '^/v[0-9]+/orders/[a-z0-9-]+$' }, headers: [{ type: 'RegularExpression', name: 'x-tenant', value: '^[a-z]{2,8}$' }] },
            { queryParams: [{ type: 'RegularExpression', name: 'debug', value: '^(1|true)$' }] },
          ],
          backendRefs: [{ name: 'orders', port: 9090 }],
        },
        { name: 'web', backendRefs: [{ name: 'web', namespace: 'shop', port: 80 }] },
      ],
    },
  };
}

export function meshRoutePolicySample() {
  return {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'RoutePolicy',
    metadata: { name: 'payments-split', namespace: 'shop' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'payments', port: 8080 }],
      rules: [
        {
          backendRefs: [
            { name: 'payments-v1', port: 8080, weight: 1 },
            { name: 'payments-v2', port: 8080, weight: 0 },
          ],
          retry: { attempts: 2, retryOn: ['unavailable', 'cancelled'], perTryTimeout: '500ms' },
          timeouts: { request: '3s' },
        },
      ],
    },
  };
}

export function backendPolicySample() {
  return {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'BackendPolicy',
    metadata: { name: 'payments', namespace: 'shop' },
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: 'payments' }],
      loadBalancer: { type: 'RingHash', consistentHash: { type: 'Cookie', cookie: { name: 'session', ttl: '1h' } } },
      circuitBreaker: { maxConnections: 1024, maxPendingRequests: 256, maxRequests: 1024, maxRetries: 3 },
      outlierDetection: { consecutive5xx: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      connectTimeout: '1s',
      healthCheck: {
        active: { interval: '5s', timeout: '1s', healthyThreshold: 2, unhealthyThreshold: 3, http: { path: '/healthz', expectedStatuses: [200, 204] } },
      },
      http2: true,
      tls: { sni: 'payments.shop.svc.cluster.local', caCertificateRefs: [{ kind: 'ConfigMap', name: 'payments-ca' }] },
    },
  };
}

export function securityPolicySample() {
  return {
    apiVersion: 'tower.dev/v1alpha1',
    kind: 'SecurityPolicy',
    metadata: { name: 'payments-callers', namespace: 'shop' },
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: 'payments' }],
      jwt: {
        providers: [
          {
            name: 'auth0',
            issuer: 'https://shop.eu.auth0.com/',
            audiences: ['payments'],
            remoteJWKS: { uri: 'https://shop.eu.auth0.com/.well-known/jwks.json', cacheDuration: '10m' },
            claimToHeaders: [{ claim: 'sub', header: 'x-user' }],
          },
          { name: 'local', localJWKS: { inline: '{"keys":[]}' }, forward: true },
        ],
        rules: [
          { path: { type: 'PathPrefix', value: '/healthz' }, optional: true },
          { path: { type: 'PathPrefix', value: '/' }, providers: ['auth0', 'local'] },
        ],
      },
      authorization: {
        defaultAction: 'Deny',
        rules: [
          {
            name: 'api-posts',
            action: 'Allow',
            from: { principals: [{ namespace: 'shop', serviceAccount: 'api' }] },
            to: { paths: [{ type: 'PathPrefix', value: '/api/' }], methods: ['POST'] },
          },
          { name: 'admins', action: 'Allow', from: { jwtClaims: [{ name: 'realm.roles', values: ['admin'] }] } },
          { name: 'no-debug', action: 'Deny', to: { headers: [{ name: 'x-debug', values: ['1'] }] } },
        ],
      },
    },
  };
}

export const allSamples = () => [gatewaySample(), routePolicySample(), meshRoutePolicySample(), backendPolicySample(), securityPolicySample()];
