import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApi } from '../../src/k8s/kube-api';
import { loadInCluster, loadKubeconfigFile, serviceAccountDir } from '../../src/k8s/kubeconfig';
import { KubeApiServer } from '../support/kube-api-server/server';

describe('kubeconfig loading (client-node KubeConfig)', () => {
  let dir: string;
  let api: KubeApiServer;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tower-kubeconfig-'));
    api = await KubeApiServer.start();
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the current context or a named one, and names what is missing', async () => {
    await writeFile(path.join(dir, 'ca.pem'), 'CA-FROM-FILE');
    const file = path.join(dir, 'config');
    await writeFile(
      file,
      `apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: { cluster: c1, user: u1, namespace: shop }
- name: other
  context: { cluster: c2, user: u2 }
- name: broken
  context: { cluster: nowhere, user: u1 }
clusters:
- name: c1
  cluster: { server: "${api.url}", certificate-authority-data: ${Buffer.from('CA-DATA').toString('base64')} }
- name: c2
  cluster: { server: "https://10.0.0.2", certificate-authority: ca.pem, insecure-skip-tls-verify: true }
users:
- name: u1
  user: { token: secret-token }
- name: u2
  user: { tokenFile: tok }
`,
    );
    const dev = loadKubeconfigFile(file);
    assert.equal(dev.name, 'dev');
    assert.equal(dev.namespace, 'shop');
    assert.equal(dev.kubeConfig.getCurrentCluster()?.server, api.url);
    assert.equal(dev.kubeConfig.getCurrentCluster()?.caData, Buffer.from('CA-DATA').toString('base64'));
    // The token goes on the wire through client-node.
    await new KubeApi(dev.kubeConfig, { name: dev.name }).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer secret-token');

    const other = loadKubeconfigFile(file, 'other');
    assert.equal(other.kubeConfig.getCurrentCluster()?.caFile, path.join(dir, 'ca.pem'), 'relative paths resolved against the file');
    assert.equal(other.kubeConfig.getCurrentCluster()?.skipTLSVerify, true);
    assert.throws(() => loadKubeconfigFile(file, 'nope'), /kubeconfig .*config: context "nope" not found/);
    assert.throws(() => loadKubeconfigFile(file, 'broken'), /context "broken": cluster "nowhere" not found/);
    assert.throws(() => loadKubeconfigFile(path.join(dir, 'missing')), /kubeconfig .*missing: .*ENOENT/);
  });

  it('runs exec credential plugins (client-node ExecAuth) and sends their token', async () => {
    const plugin = path.join(dir, 'plugin.js');
    await writeFile(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } }));\n`);
    const file = path.join(dir, 'exec');
    await writeFile(
      file,
      `current-context: x
contexts: [{name: x, context: {cluster: c, user: u}}]
clusters: [{name: c, cluster: {server: "${api.url}"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(plugin)}], interactiveMode: Never}}}]
`,
    );
    const cfg = loadKubeconfigFile(file);
    await new KubeApi(cfg.kubeConfig).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer exec-token');
  });

  it('loads in-cluster config with loadFromCluster and sends the service account token file', async () => {
    const prefix = path.join(dir, 'root');
    const sa = path.join(prefix, serviceAccountDir);
    await mkdir(sa, { recursive: true });
    assert.throws(() => loadInCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, prefix), /cannot read .*token/);
    await writeFile(path.join(sa, 'token'), 'sa-token');
    await writeFile(path.join(sa, 'namespace'), 'tower-system\n');
    await writeFile(path.join(sa, 'ca.crt'), 'not used over http');
    const cfg = loadInCluster({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, prefix);
    assert.equal(cfg.name, 'in-cluster');
    assert.equal(cfg.namespace, 'tower-system');
    assert.equal(cfg.kubeConfig.getCurrentCluster()?.server, 'https://10.96.0.1:443');
    assert.equal(cfg.kubeConfig.getCurrentCluster()?.caFile, path.join(sa, 'ca.crt'));
    assert.throws(() => loadInCluster({}, prefix), /KUBERNETES_SERVICE_HOST/);

    // Same user (tokenFile auth provider) against the loopback server: the file's token is what goes on the wire.
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'c', server: api.url }], users: cfg.kubeConfig.users, contexts: [{ name: 'x', cluster: 'c', user: cfg.kubeConfig.users[0]?.name }], currentContext: 'x' });
    await new KubeApi(kc).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer sa-token');
  });
});
