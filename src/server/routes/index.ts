/**
 * The explicit list of route modules, in registration order. To add an area, import its
 * module and append it here (one import line and one entry line).
 */
import { adminRoutes } from './admin.js';
import { capabilityRoutes } from './capabilities.js';
import { dashboardRoutes } from './dashboard.js';
import { deliveriesRoutes } from './deliveries.js';
import { docsRoutes } from './docs.js';
import { healthRoutes } from './health.js';
import { jobRoutes } from './jobs.js';
import { mailRoutes } from './mail.js';
import { metricsRoutes } from './metrics.js';
import type { RouteModule } from './route-module.js';
import { statusRoutes } from './status.js';

export type { RouteModule } from './route-module.js';

export const ROUTES: readonly RouteModule[] = [
  healthRoutes,
  metricsRoutes,
  capabilityRoutes,
  statusRoutes,
  adminRoutes,
  dashboardRoutes,
  deliveriesRoutes,
  jobRoutes,
  mailRoutes,
  docsRoutes,
];
