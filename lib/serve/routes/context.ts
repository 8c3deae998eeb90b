import type { ServiceMetrics } from '../metrics';
import type { Service } from '../service';

/** What every route plugin is registered with. */
export interface RouteOptions {
  service: Service;
  metrics: ServiceMetrics;
}
