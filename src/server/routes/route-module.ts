/** What every route file exports: a function that adds its routes to the app. */
import type { FastifyInstance } from 'fastify';
import type { GatewayRuntime } from '../gateway-runtime.js';
import '../fastify-types.js';

export type RouteModule = (app: FastifyInstance, runtime: GatewayRuntime) => void;
