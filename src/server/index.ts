/** The gateway service: the Fastify app and what it is built from. */
export { createServer, type ServerOptions } from './create-server.js';
