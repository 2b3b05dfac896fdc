/** A @kubernetes/client-node KubeConfig (and Tower KubeApi) pointing at the test API server. */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApi } from '../../../src/k8s/kube-api';
import { caCert, clientCert, clientKey } from './tls-fixtures';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

export interface TestAuth {
  token?: string;
  /** Authenticate with the test client certificate (CN tower-client). */
  clientCert?: boolean;
  context?: string;
}

/** Trusts the test CA, like a kubeconfig with certificate-authority-data. */
export function kubeConfigFor(server: string, opts: TestAuth = {}): KubeConfig {
  const name = opts.context ?? 'test';
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name, server, caData: b64(caCert), skipTLSVerify: false }],
    users: [{ name, ...(opts.token ? { token: opts.token } : {}), ...(opts.clientCert ? { certData: b64(clientCert), keyData: b64(clientKey) } : {}) }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

export function kubeApiFor(server: string, opts: TestAuth = {}): KubeApi {
  return new KubeApi(kubeConfigFor(server, opts), { name: opts.context ?? 'test' });
}
