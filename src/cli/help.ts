/** `tower --help` and per-command help, generated from the settings tables. */
import { describeSettings } from '../config/settings';
import { serveSettings } from '../config/serve-config';
import { dumpSettings } from '../config/dump-config';

export const serveHelp = `Usage: tower serve [--files DIR | --kubeconfig PATH | --in-cluster] [options]

Runs the xDS control plane: reads Services, EndpointSlices, Secrets and
Gateway API objects from a folder of YAML or from Kubernetes and serves them
to Envoy gateways, Envoy sidecars and proxyless gRPC clients over ADS.
Flags override environment variables.

${describeSettings(serveSettings)}
`;

export const dumpHelp = `Usage: tower dump --role gateway|sidecar|proxyless --files DIR [options]

Prints the exact configuration a client of that role would be sent, without
starting a server.

${describeSettings(dumpSettings)}
`;

export const mainHelp = `Usage: tower <command> [flags]

Commands:
  serve     run the xDS control plane (see 'tower serve --help')
  dump      print the configuration a client would receive (see 'tower dump --help')
  version   print Tower's version

Flags:
  -h, --help     show this help
  -v, --version  print Tower's version
`;
