/**
 * The Kubernetes-only parts of a running Tower: the Lease leader election and
 * the status writer. Kept in their own module so start-tower loads it (and
 * @kubernetes/client-node behind it) only in Kubernetes mode.
 */
import type { Logger } from '../observability/logger';
import { LeaderElector, type LeaderElectorOptions } from '../sources/kubernetes/lease';
import { StatusWriter } from '../sources/kubernetes/status-writer';
import { leaseName, type KubeContext } from './make-source';

export interface KubeStatusParts {
  readonly elector: LeaderElector;
  readonly writer: StatusWriter;
}

export function kubeStatusParts(
  kube: KubeContext,
  leaderElection: Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'> | undefined,
  logger: Logger,
): KubeStatusParts {
  const elector = new LeaderElector({
    api: kube.api,
    namespace: kube.namespace,
    name: leaseName,
    identity: kube.identity,
    ...leaderElection,
    onError: (err) => logger.warn({ component: 'leader' }, err.message),
  });
  const writer = new StatusWriter(kube.api, elector, { onError: (err) => logger.child({ component: 'status' }).warn(err.message) });
  return { elector, writer };
}
