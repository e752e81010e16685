export { Rib } from './rib.js';
export type { Family, PeerInfo, UpdateResult, RouteView, RibOptions, OriginateOptions, ExportPolicy } from './types.js';
export { BEST_PATH_STEPS } from './best-path.js';
export type { RouteFilterRule, RouteFilterAction } from './route-filter.js';
export { routeFilterVerdict } from './route-filter.js';
