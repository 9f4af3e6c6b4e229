/** The WebSocket side of the API: JSON-RPC over frames and eth_subscribe pushes. */
export { SubscriptionHub, type HeaderSink } from './subscriptions.js';
export { WsConnection } from './connection.js';
