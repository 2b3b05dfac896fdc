/**
 * Route-level header mutations (RequestHeaderModifier/ResponseHeaderModifier):
 * set → OVERWRITE_IF_EXISTS_OR_ADD, add → APPEND_IF_EXISTS_OR_ADD, remove →
 * *_headers_to_remove. Spread into an envoy.config.route.v3.Route.
 */
import type { HeaderModifierModel } from '../src/model/types';
import type { Json } from './types';

export function headerMutation(mod: HeaderModifierModel | undefined, direction: 'request' | 'response'): Json {
  if (!mod) return {};
  const add = [
    ...(mod.set ?? []).map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...(mod.add ?? []).map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  return {
    ...(add.length > 0 ? { [`${direction}_headers_to_add`]: add } : {}),
    ...(mod.remove && mod.remove.length > 0 ? { [`${direction}_headers_to_remove`]: [...mod.remove] } : {}),
  };
}
