/** A @kubernetes/client-node KubeConfig (and Tower KubeApi) pointing at the test API server. */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApi } from '../../../src/k8s/kube-api';

export function kubeConfigFor(server: string, opts: { token?: string; context?: string } = {}): KubeConfig {
  const name = opts.context ?? 'test';
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name, server, skipTLSVerify: false }],
    users: [{ name, ...(opts.token ? { token: opts.token } : {}) }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kc;
}

export function kubeApiFor(server: string, opts: { token?: string; context?: string } = {}): KubeApi {
  return new KubeApi(kubeConfigFor(server, opts), { name: opts.context ?? 'test' });
}
