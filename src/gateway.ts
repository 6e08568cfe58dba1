export { Gateway, type GatewayOptions, type AdminAction } from './gateway/gateway.js';
