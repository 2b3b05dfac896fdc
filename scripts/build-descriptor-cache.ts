/**
 * Build step (`npm run build`): parses Envoy's protos from @grpc/grpc-js-xds
 * and writes dist/envoy-descriptor.json, which Tower reads at start instead
 * of parsing them again (src/envoy/descriptor-cache.ts).
 */
import { writeEnvoyDescriptorCache } from '../src/envoy/proto-root';

const file = writeEnvoyDescriptorCache();
process.stdout.write(`wrote ${file}\n`);
