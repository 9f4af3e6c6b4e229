/** Transports: HTTP (JSON GET, JSON-RPC single and batch) and WebSocket subscriptions. */
export { createHttpTransport, DEFAULT_REQUEST_TIMEOUT_MS } from './http.js';
export type {
  HttpTransport,
  HttpTransportOptions,
  HttpRequestOptions,
  HttpGetOptions,
  JsonRpcCall,
  JsonRpcId,
  JsonRpcOutcome,
} from './http.js';
export { WebSocketTransport, wsUrlOf } from './ws.js';
export type { WebSocketTransportOptions, SubscriptionHandlers, Subscription, WebSocketState } from './ws.js';
