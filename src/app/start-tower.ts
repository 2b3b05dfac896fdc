/**
 * The composition of a running Tower:
 *
 *   source ─> store ─> MeshController (model + translators) ─> XdsServer ─> clients
 *                                                                 │
 *                               admin HTTP (health, metrics, debug) <┘
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
import { MeshController } from './mesh-controller';
import { makeSource } from './make-source';

export interface StartOptions {
  readonly logger?: Logger;
  /** A source to use instead of the one the configuration names (embedding, tests). */
  readonly source?: Source;
}

export interface Tower {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly xds: XdsServer;
  readonly metrics: TowerMetrics;
  readonly readiness: Readiness;
  /** Stops the source, then the xDS and admin servers. Safe to call twice. */
  close(): Promise<void>;
}

/** The role label of a client on metrics and debug pages. */
export const clientRole = (c: ClientStatus): string => roleFromNode(c.node).kind;

export async function startTower(config: ServeConfig, opts: StartOptions = {}): Promise<Tower> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const made = opts.source ? { source: opts.source, dispose: () => {} } : makeSource(config.source);
  const { source } = made;
  const readiness = new Readiness();
  readiness.waitingFor(`initial sync of ${source.name}`);
  const metrics = new TowerMetrics({ roleOf: clientRole });
  const store = new Store({ waitForSync: [source.name] });
  const translator = new MeshTranslator();
  const controller = new MeshController({
    store,
    translator,
    metrics,
    logger: logger.child({ component: 'mesh' }),
    onFirstSnapshot: () => {
      readiness.markReady();
      metrics.ready.set(1);
    },
  });
  const xds = new XdsServer({ selectView: controller.selectView, logger: logger.child({ component: 'xds' }), debounce: config.debounce });
  const unbindMetrics = metrics.bind(xds);
  const admin = new AdminServer({ xds, metrics, readiness, logger: logger.child({ component: 'admin' }), roleOf: clientRole });
  store.onReferencedSecretsChange((keys) => source.setReferencedSecrets?.(keys));
  const unsubscribe = controller.attach(xds);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      unsubscribe();
      await source.stop().catch((err: unknown) => logger.warn({ err }, 'stopping the source failed'));
      made.dispose();
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
    logger.info({ xdsPort, adminPort, host: config.host, source: source.name }, 'tower serving');
    return { xdsPort, adminPort, xds, metrics, readiness, close };
  } catch (err) {
    await close();
    throw err;
  }
}
