/**
 * The composition of a running Tower:
 *
 *   source ─> store ─> MeshController (model + translators) ─> XdsServer ─> clients
 *                                                                 │
 *                               admin HTTP (health, metrics, debug) <┘
 *
 * Every object's status (Accepted, ResolvedRefs, Programmed from ACKs and
 * NACKs) is computed in every mode and shown at /debug/status. With a
 * Kubernetes source, replicas also elect a leader on the Lease `tower` in
 * Tower's namespace; only the leader writes status to the objects. Every
 * replica serves xDS regardless of leadership.
 */
import type { ServeConfig } from '../config/serve-config';
import { AdminServer } from '../admin/admin-server';
import { Readiness } from '../admin/readiness';
import { roleFromNode } from '../model/roles';
import { createLogger, type Logger } from '../observability/logger';
import { TowerMetrics } from '../observability/metrics';
import type { ClientStatus } from '../observability/xds-contract';
import { MeshTranslator } from '../pipeline/mesh-translator';
import type { Source } from '../sources/source';
import { Store } from '../store/store';
import { XdsServer } from '../xds/server';
import type { LeaderElectorOptions } from '../sources/kubernetes/lease';
import { ProgrammedTracker } from './programmed-tracker';
import { ObjectStatusReporter } from './status-reporter';
import { MeshController } from './mesh-controller';
import { startMeshCa } from './start-mesh-ca';
import type { MeshIdentityStore } from '../mesh-ca/identity-store';
import { leaseName, makeSource, type MadeSource } from './make-source';

export interface StartOptions {
  readonly logger?: Logger;
  /** A source to use instead of the one the configuration names (embedding, tests). */
  readonly source?: Source;
  /** Environment read for POD_NAME / POD_NAMESPACE and in-cluster settings (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Leader election timings (Kubernetes sources); client-go's defaults otherwise. */
  readonly leaderElection?: Pick<LeaderElectorOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>;
  /** Delay between a change and the status it causes (default 200 ms). */
  readonly statusDelayMs?: number;
  /** Delay between ACKs/NACKs and the Programmed condition they cause (default 1000 ms). */
  readonly programmedDelayMs?: number;
}

/** Leadership of a Kubernetes-backed Tower (status writing). */
export interface Leadership {
  /** coordination.k8s.io/v1 Lease "namespace/name". */
  readonly lease: string;
  readonly identity: string;
  readonly isLeader: boolean;
  /** The holder this replica last saw (itself when leading). */
  readonly holder: string | undefined;
}

export interface Tower {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly xds: XdsServer;
  readonly metrics: TowerMetrics;
  readonly readiness: Readiness;
  /** Leader election state; undefined for file sources (no status to write). */
  readonly leadership: () => Leadership | undefined;
  /** The mesh CA's identity store (docs/mtls.md): issued workload certificates, rotate(). */
  readonly meshIdentities: MeshIdentityStore;
  /** Status of every Tower object (all modes; written to the cluster by the leader in Kubernetes mode). */
  readonly status: ObjectStatusReporter;
  /** Stops the source, then the xDS and admin servers. Safe to call twice. */
  close(): Promise<void>;
}

/** The role label of a client on metrics and debug pages. */
export const clientRole = (c: ClientStatus): string => roleFromNode(c.node).kind;

export async function startTower(config: ServeConfig, opts: StartOptions = {}): Promise<Tower> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const mesh = await startMeshCa(config, logger.child({ component: 'mesh-ca' }));
  const made: MadeSource = opts.source ? { source: opts.source } : makeSource(config.source, opts.env);
  const { source } = made;
  const readiness = new Readiness();
  readiness.waitingFor(`initial sync of ${source.name}`);
  const metrics = new TowerMetrics({ roleOf: clientRole });
  const store = new Store({ waitForSync: [source.name] });
  const translator = new MeshTranslator({ config: mesh.meshConfig });
  const kube = made.kube;
  // Loaded only in Kubernetes mode (it brings @kubernetes/client-node, ~0.8 s to load).
  const kubeParts = kube
    ? (require('./kube-status') as typeof import('./kube-status')).kubeStatusParts(kube, opts.leaderElection, logger)
    : undefined;
  const elector = kubeParts?.elector;
  const statusLogger = logger.child({ component: 'status' });
  let tracker: ProgrammedTracker | undefined;
  const status = new ObjectStatusReporter({
    store,
    pipeline: translator,
    progress: () => tracker?.progress() ?? new Map(),
    ...(kubeParts ? { writer: kubeParts.writer } : {}),
    logger: statusLogger,
    ...(opts.statusDelayMs !== undefined ? { statusDelayMs: opts.statusDelayMs } : {}),
    ...(opts.programmedDelayMs !== undefined ? { programmedDelayMs: opts.programmedDelayMs } : {}),
  });
  elector?.onLeadershipChange((leader) =>
    logger.info({ component: 'leader', lease: `${kube?.namespace}/${leaseName}`, identity: kube?.identity }, leader ? 'became leader' : 'lost leadership'),
  );
  const controller = new MeshController({
    store,
    translator,
    metrics,
    logger: logger.child({ component: 'mesh' }),
    onFirstSnapshot: () => {
      readiness.markReady();
      metrics.ready.set(1);
    },
    onApplied: (cs) => status.onChangeSet(cs),
    identities: mesh.gate,
  });
  mesh.identities.onRotated((ns, sa) => controller.identityRotated(ns, sa));
  const xds = new XdsServer({ selectView: controller.selectView, logger: logger.child({ component: 'xds' }), debounce: config.debounce });
  tracker = new ProgrammedTracker({ xds, roleOf: clientRole, onChange: () => status.onProgress() });
  const unbindMetrics = metrics.bind(xds);
  const admin = new AdminServer({ xds, metrics, readiness, logger: logger.child({ component: 'admin' }), roleOf: clientRole, objectStatus: (f) => status.list(f) });
  store.onReferencedSecretsChange((keys) => source.setReferencedSecrets?.(keys));
  const unsubscribe = controller.attach(xds);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      unsubscribe();
      mesh.identities.close();
      tracker?.close();
      await status.close();
      // Released at once so another replica takes over status writing without waiting for expiry.
      await elector?.stop();
      await source.stop().catch((err: unknown) => logger.warn({ err }, 'stopping the source failed'));
      store.close();
      await xds.close();
      unbindMetrics();
      await admin.close();
    })());

  try {
    const adminPort = await admin.listen(config.adminPort, config.host);
    const xdsPort = await xds.listen(config.xdsPort, config.host).catch((err: Error) => {
      throw new Error(`xDS server cannot listen on ${config.host}:${config.xdsPort}: ${err.message}`);
    });
    await source.start(store.apply);
    elector?.start();
    logger.info(
      { xdsPort, adminPort, host: config.host, source: source.name, ...(kube ? { lease: `${kube.namespace}/${leaseName}`, identity: kube.identity } : {}) },
      'tower serving',
    );
    if (config.source.kind === 'none' && !opts.source) logger.warn('no source given: serving an empty mesh; pass --files DIR, --kubeconfig PATH or --in-cluster');
    const leadership = (): Leadership | undefined =>
      kube && elector ? { lease: `${kube.namespace}/${leaseName}`, identity: kube.identity, isLeader: elector.isLeader, holder: elector.observedLeader } : undefined;
    return { xdsPort, adminPort, xds, metrics, readiness, leadership, status, meshIdentities: mesh.identities, close };
  } catch (err) {
    await close();
    throw err;
  }
}
