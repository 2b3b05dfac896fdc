/** Builds the configured source: a folder of YAML or the Kubernetes API. */
import * as os from 'node:os';
import { ConfigError } from '../config/errors';
import type { SourceConfig } from '../config/serve-config';
import type { KubeApi } from '../k8s/kube-api';
import type { ClusterConfig } from '../k8s/kubeconfig';
import { EmptySource } from '../sources/empty-source';
import { FileSource } from '../sources/files/file-source';
import { towerKindRegistry } from '../sources/kinds';
import type { Source } from '../sources/source';

/** Namespace of Tower's own Lease when neither POD_NAMESPACE, --namespace nor the pod's namespace says. */
export const defaultTowerNamespace = 'tower-system';
/** Name of the Lease Tower replicas elect a status-writing leader on. */
export const leaseName = 'tower';

/** What a Kubernetes-backed Tower needs besides the source: the API client and its own identity. */
export interface KubeContext {
  readonly api: KubeApi;
  /** Tower's namespace (holds the Lease): POD_NAMESPACE, else --namespace, else the pod's (in cluster), else tower-system. */
  readonly namespace: string;
  /** Lease holder identity: POD_NAME, else the host name. */
  readonly identity: string;
}

export interface MadeSource {
  readonly source: Source;
  /** Set for Kubernetes sources. */
  readonly kube?: KubeContext;
}

/**
 * The Kubernetes modules, loaded on first use: @kubernetes/client-node takes
 * ~0.8 s to load, which only Kubernetes mode should pay (a restarted Tower in
 * file mode is serving again that much sooner).
 */
function kubernetesModules(): {
  kubeconfig: typeof import('../k8s/kubeconfig');
  kubeApi: typeof import('../k8s/kube-api');
  source: typeof import('../sources/kubernetes/kubernetes-source');
} {
  // Deliberately lazy require()s, typed by the casts.
  return {
    kubeconfig: require('../k8s/kubeconfig') as typeof import('../k8s/kubeconfig'),
    kubeApi: require('../k8s/kube-api') as typeof import('../k8s/kube-api'),
    source: require('../sources/kubernetes/kubernetes-source') as typeof import('../sources/kubernetes/kubernetes-source'),
  };
}

export function makeSource(cfg: SourceConfig, env: NodeJS.ProcessEnv = process.env): MadeSource {
  // Both sources read the built-in kinds and Tower's CRDs (tower.dev/v1alpha1).
  if (cfg.kind === 'none') return { source: new EmptySource() };
  if (cfg.kind === 'files') return { source: new FileSource(cfg.dir, { registry: towerKindRegistry() }) };
  const k8s = kubernetesModules();
  let cluster: ClusterConfig;
  try {
    cluster = cfg.inCluster ? k8s.kubeconfig.loadInCluster(env) : k8s.kubeconfig.loadKubeconfigFile(cfg.kubeconfig!);
  } catch (err) {
    // A kubeconfig Tower cannot use is a configuration error: name it and exit 2.
    throw new ConfigError(`tower serve: ${cfg.inCluster ? '--in-cluster' : `--kubeconfig ${cfg.kubeconfig}`}: ${(err as Error).message}`);
  }
  // @kubernetes/client-node (typed APIs + Watch) over the loaded KubeConfig; it pools no sockets Tower must close.
  const api = new k8s.kubeApi.KubeApi(cluster.kubeConfig, { name: cluster.name });
  const namespace = cfg.namespace;
  const kube: KubeContext = {
    api,
    namespace: nonEmpty(env.POD_NAMESPACE) ?? namespace ?? (cfg.inCluster ? cluster.namespace : undefined) ?? defaultTowerNamespace,
    identity: nonEmpty(env.POD_NAME) ?? os.hostname(),
  };
  return {
    source: new k8s.source.KubernetesSource({ api, registry: towerKindRegistry(), ...(namespace !== undefined ? { namespace } : {}) }),
    kube,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}
