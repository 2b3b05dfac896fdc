/** Tower's library API. */
export * from './envoy/type-urls';
export { envoyRoot, messageType, typeForUrl } from './envoy/proto-root';
export * from './xds/resource';
