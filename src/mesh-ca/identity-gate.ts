/**
 * Between client views and the identity store: a sidecar or gateway view is
 * translated only once its identity certificate exists (issuing is
 * asynchronous; the client waits a few milliseconds, as it waits for the
 * initial sync), and views are re-translated when their certificate rotates.
 *
 * Views are shared by clients of the same namespace, labels and mode
 * (src/model/roles.ts viewKey), not by service account; a client claiming a
 * different service account than its view's is refused rather than handed
 * another workload's certificate.
 */
import type { ClientRole } from '../model/roles';
import type { MeshIdentityStore } from './identity-store';

export type IdentityOf = (role: ClientRole) => { namespace: string; serviceAccount: string } | undefined;

export class IdentityGate {
  private readonly views = new Map<string, { role: ClientRole; identity: string }>();

  constructor(
    private readonly store: MeshIdentityStore,
    private readonly identityOf: IdentityOf,
    private readonly onIssueError: (err: Error, identity: string) => void,
  ) {}

  /** An error message when `role` claims another identity than the clients already in view `viewKey`; else records the view. */
  claim(viewKey: string, role: ClientRole): string | undefined {
    const id = this.identityOf(role);
    if (!id) return undefined;
    const key = `${id.namespace}/${id.serviceAccount}`;
    const prev = this.views.get(viewKey);
    if (prev && prev.identity !== key) {
      return `node "${role.nodeId}" claims service account ${key} but shares view ${viewKey} with clients of ${prev.identity}; one view serves one identity certificate (give the workloads distinct labels)`;
    }
    if (!prev) this.views.set(viewKey, { role, identity: key });
    return undefined;
  }

  /** Whether the role's certificate is there (or it needs none). If not, issues it and calls `then` once it is. */
  ready(role: ClientRole, then: () => void): boolean {
    const id = this.identityOf(role);
    if (!id || this.store.identity(id.namespace, id.serviceAccount)) return true;
    this.store.ensure(id.namespace, id.serviceAccount).then(then, (err: Error) => this.onIssueError(err, `${id.namespace}/${id.serviceAccount}`));
    return false;
  }

  /** Views (and a role of each) whose identity is namespace/serviceAccount. */
  viewsOf(namespace: string, serviceAccount: string): { viewKey: string; role: ClientRole }[] {
    const key = `${namespace}/${serviceAccount}`;
    return [...this.views].filter(([, v]) => v.identity === key).map(([viewKey, v]) => ({ viewKey, role: v.role }));
  }
}
