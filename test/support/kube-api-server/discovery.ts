/** Discovery documents (/api, /api/v1, /apis, /apis/GROUP/VERSION), as KubernetesObjectApi reads them. */
import type { ResourceDef } from './server';

function resourceList(groupVersion: string, defs: ResourceDef[]): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defs.flatMap((d) => [
      { name: d.plural, singularName: d.kind.toLowerCase(), namespaced: d.namespaced, kind: d.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      ...(d.statusSubresource ? [{ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] }] : []),
    ]),
  };
}

/** The document for a discovery path (split into segments), or undefined when the path is not one. */
export function discoveryDocument(defs: ResourceDef[], parts: string[]): unknown {
  const [root, a, b] = parts;
  if (root === 'api' && parts.length === 1) return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (root === 'api' && parts.length === 2) return resourceList(a as string, defs.filter((d) => d.group === '' && d.version === a));
  if (root === 'apis' && parts.length === 1) {
    const gvs = [...new Set(defs.filter((d) => d.group).map((d) => `${d.group}/${d.version}`))];
    const groups = gvs.map((gv) => {
      const [name, version] = gv.split('/') as [string, string];
      return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (root === 'apis' && parts.length === 3) return resourceList(`${a}/${b}`, defs.filter((d) => d.group === a && d.version === b));
  return undefined;
}
