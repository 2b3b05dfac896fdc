import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeApi } from '../../src/k8s/kube-api';
import { loadInCluster, loadKubeconfigFile, serviceAccountDir } from '../../src/k8s/kubeconfig';
import { KubeApiServer } from '../support/kube-api-server/server';
import { caCert, clientCert, clientKey } from '../support/kube-api-server/tls-fixtures';

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

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

  it('reads the current context or a named one (CA data or file, token, client certificate), and names what is missing', async () => {
    await writeFile(path.join(dir, 'ca.pem'), caCert);
    await writeFile(path.join(dir, 'client.crt'), clientCert);
    await writeFile(path.join(dir, 'client.key'), clientKey);
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
- name: certs
  context: { cluster: c2, user: u3 }
- name: broken
  context: { cluster: nowhere, user: u1 }
clusters:
- name: c1
  cluster: { server: "${api.url}", certificate-authority-data: ${b64(caCert)} }
- name: c2
  cluster: { server: "${api.url}", certificate-authority: ca.pem }
users:
- name: u1
  user: { token: secret-token }
- name: u2
  user: { tokenFile: tok }
- name: u3
  user: { client-certificate: client.crt, client-key: client.key }
`,
    );
    const dev = loadKubeconfigFile(file);
    assert.equal(dev.name, 'dev');
    assert.equal(dev.namespace, 'shop');
    assert.equal(dev.kubeConfig.getCurrentCluster()?.server, api.url);
    // The server is verified with the CA data and the token goes on the wire, through client-node.
    await new KubeApi(dev.kubeConfig, { name: dev.name }).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer secret-token');
    assert.equal(api.lastClientCertCN, undefined);

    // CA and client certificate from files (relative to the kubeconfig): mutual TLS.
    const certs = loadKubeconfigFile(file, 'certs');
    assert.equal(certs.kubeConfig.getCurrentCluster()?.caFile, path.join(dir, 'ca.pem'), 'relative paths resolved against the file');
    await new KubeApi(certs.kubeConfig).core.listServiceForAllNamespaces();
    assert.equal(api.lastClientCertCN, 'tower-client');
    assert.equal(api.lastAuthorization, undefined);
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
clusters: [{name: c, cluster: {server: "${api.url}", certificate-authority-data: ${b64(caCert)}}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(plugin)}], interactiveMode: Never}}}]
`,
    );
    const cfg = loadKubeconfigFile(file);
    await new KubeApi(cfg.kubeConfig).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer exec-token');
  });

  it('loads in-cluster config with loadFromCluster: service account token file and CA', async () => {
    const prefix = path.join(dir, 'root');
    const sa = path.join(prefix, serviceAccountDir);
    await mkdir(sa, { recursive: true });
    const port = new URL(api.url).port;
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port };
    assert.throws(() => loadInCluster(env, prefix), /cannot read .*token/);
    await writeFile(path.join(sa, 'token'), 'sa-token');
    await writeFile(path.join(sa, 'namespace'), 'tower-system\n');
    await writeFile(path.join(sa, 'ca.crt'), caCert);
    const cfg = loadInCluster(env, prefix);
    assert.equal(cfg.name, 'in-cluster');
    assert.equal(cfg.namespace, 'tower-system');
    assert.equal(cfg.kubeConfig.getCurrentCluster()?.server, api.url);
    assert.equal(cfg.kubeConfig.getCurrentCluster()?.caFile, path.join(sa, 'ca.crt'));
    assert.throws(() => loadInCluster({}, prefix), /KUBERNETES_SERVICE_HOST/);
    // The API server is verified with the pod's CA and the token file is what goes on the wire.
    await new KubeApi(cfg.kubeConfig).core.listServiceForAllNamespaces();
    assert.equal(api.lastAuthorization, 'Bearer sa-token');
  });
});
