/** Builds the configured source: a folder of YAML or the Kubernetes API. */
import { ConfigError } from '../config/errors';
import type { SourceConfig } from '../config/serve-config';
import { KubeApi } from '../k8s/kube-api';
import { loadInCluster, loadKubeconfigFile, type ClusterConfig } from '../k8s/kubeconfig';
import { FileSource } from '../sources/files/file-source';
import { KubernetesSource } from '../sources/kubernetes/kubernetes-source';
import type { Source } from '../sources/source';

export interface MadeSource {
  readonly source: Source;
  /** Releases what the source needed besides itself (the API client's sockets). */
  readonly dispose: () => void;
}

export function makeSource(cfg: SourceConfig, env: NodeJS.ProcessEnv = process.env): MadeSource {
  if (cfg.kind === 'files') return { source: new FileSource(cfg.dir), dispose: () => {} };
  let cluster: ClusterConfig;
  try {
    cluster = cfg.inCluster ? loadInCluster(env) : loadKubeconfigFile(cfg.kubeconfig!);
  } catch (err) {
    // A kubeconfig Tower cannot use is a configuration error: name it and exit 2.
    throw new ConfigError(`tower serve: ${cfg.inCluster ? '--in-cluster' : `--kubeconfig ${cfg.kubeconfig}`}: ${(err as Error).message}`);
  }
  // @kubernetes/client-node (typed APIs + Watch) over the loaded KubeConfig; it pools no sockets Tower must close.
  const api = new KubeApi(cluster.kubeConfig, { name: cluster.name });
  const namespace = cfg.namespace;
  return {
    source: new KubernetesSource({ api, ...(namespace !== undefined ? { namespace } : {}) }),
    dispose: () => {},
  };
}
