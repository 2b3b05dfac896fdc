/**
 * How to reach the Kubernetes API, as a @kubernetes/client-node KubeConfig:
 * from a kubeconfig file (current or named context) or from inside a pod.
 * Authentication is client-node's own: tokens, token files, client
 * certificates, exec and auth-provider plugins (OIDC, ...), CA file or data,
 * insecure-skip-tls-verify. In-cluster uses client-node's loadFromCluster
 * (service account token file, re-read every minute as projected tokens rotate).
 * These functions only add clear errors naming the file, context, cluster or
 * user that is unusable.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface ClusterConfig {
  /** Name for logs and origins (kubeconfig context, or 'in-cluster'). */
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** The context's namespace (or the pod's), if known. */
  readonly namespace?: string;
}

/** Checks that the current context resolves to a cluster with a server; names what is missing. */
function checkCurrent(kc: KubeConfig, where: string): void {
  const ctxName = kc.getCurrentContext();
  if (!ctxName) throw new Error(`${where}: no current-context and no context given`);
  const ctx = kc.getContextObject(ctxName);
  if (!ctx) throw new Error(`${where}: context "${ctxName}" not found`);
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) throw new Error(`${where}: context "${ctxName}": cluster "${ctx.cluster}" not found`);
  if (!cluster.server) throw new Error(`${where}: cluster "${cluster.name}" has no server`);
  if (ctx.user && !kc.getUser(ctx.user)) throw new Error(`${where}: context "${ctxName}": user "${ctx.user}" not found`);
}

export function loadKubeconfigFile(file: string, context?: string): ClusterConfig {
  const where = `kubeconfig ${file}`;
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) throw new Error(`${where}: context "${context}" not found`);
    kc.setCurrentContext(context);
  }
  checkCurrent(kc, where);
  const name = kc.getCurrentContext();
  const namespace = kc.getContextObject(name)?.namespace;
  return { name, kubeConfig: kc, ...(namespace ? { namespace } : {}) };
}

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * In-cluster config via KubeConfig.loadFromCluster(pathPrefix). `env` is
 * where KUBERNETES_SERVICE_HOST/PORT are read (process.env in production;
 * tests pass their own); `pathPrefix` is prepended to the service account
 * directory, as in client-node.
 */
export function loadInCluster(env: NodeJS.ProcessEnv = process.env, pathPrefix = ''): ClusterConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)');
  const tokenFile = `${pathPrefix}${serviceAccountDir}/token`;
  if (!existsSync(tokenFile)) throw new Error(`in-cluster config: cannot read ${tokenFile}`);
  const kc = new KubeConfig();
  kc.loadFromCluster(pathPrefix);
  if (env !== process.env) {
    // loadFromCluster reads process.env; rebuild the server URL from the given env the same way.
    const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
    const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    kc.loadFromOptions({ clusters: kc.clusters.map((c) => ({ ...c, server })), users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  }
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace?.trim();
  return { name: 'in-cluster', kubeConfig: kc, ...(namespace ? { namespace } : {}) };
}
