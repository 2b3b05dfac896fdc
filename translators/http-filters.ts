/** HTTP filters of an HttpConnectionManager. The router is always last and unique. */
import { any } from './config-source';
import type { Json } from './types';

export function routerFilter(): Json {
  return { name: 'envoy.filters.http.router', typed_config: any('envoy.extensions.filters.http.router.v3.Router') };
}
