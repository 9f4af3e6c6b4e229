/**
 * Browser safety, modelled on geth's --http.vhosts and --http.corsdomain: a web page the voter
 * happens to open must not be able to submit votes through, or read answers from, a validator it
 * can reach (loopback, a LAN address).
 *
 * - Host: DNS rebinding gives an attacker's name a loopback address, so the browser sends
 *   `Host: evil.example`. Names must be on the allow-list; IP literals are always served (as in
 *   geth): a page can only carry an IP Host if it was itself loaded from that IP.
 * - Origin: a cross-origin request (fetch, form post, WebSocket) carries the page's Origin. Only
 *   same-origin pages and the configured origins are served; CORS headers go to those only.
 * - Content type: only JSON bodies are executed. A form or `text/plain` POST is a "simple"
 *   request that browsers send cross-origin without a preflight.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** Media types of a JSON-RPC POST (geth accepts the same three). */
const JSON_TYPES = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);

const CORS_METHODS = 'GET, POST, OPTIONS';
const CORS_HEADERS = 'Authorization, Content-Type';
const CORS_MAX_AGE_S = '600';

/** Why a request is refused, for the transport to answer. */
export interface Refusal {
  status: 403 | 415;
  message: string;
  data: Record<string, unknown>;
}

/** The hostname of a Host header value, lowercased, without port, brackets or a trailing dot. */
export function hostName(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  if (colon !== -1 && h.indexOf(':', colon + 1) === -1) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The media type of a content-type header (no parameters), lowercased. */
export function mediaType(contentType: string | undefined): string {
  const text = contentType ?? '';
  const semicolon = text.indexOf(';');
  return (semicolon < 0 ? text : text.slice(0, semicolon)).trim().toLowerCase();
}

/** Host, Origin and content-type checks, and CORS answers. */
export class BrowserGuard {
  readonly #anyHost: boolean;
  readonly #hosts: Set<string>;
  readonly #anyOrigin: boolean;
  readonly #origins: Set<string>;

  /** `bindHost` (the listen address) is served besides the vhosts when it is a name. */
  constructor(vhosts: readonly string[], corsOrigins: readonly string[], bindHost: string) {
    this.#anyHost = vhosts.includes('*');
    this.#hosts = new Set([...vhosts, bindHost].map(hostName));
    this.#anyOrigin = corsOrigins.includes('*');
    this.#origins = new Set(corsOrigins.map((o) => o.trim().toLowerCase().replace(/\/+$/, '')));
  }

  /** Whether a Host header value names this node (undefined: HTTP/1.0 without Host, served). */
  hostAllowed(host: string | undefined): boolean {
    if (host === undefined || this.#anyHost) return true;
    const name = hostName(host);
    return isIP(name) !== 0 || this.#hosts.has(name);
  }

  /** 'none' (no Origin: not a browser, or a navigation), 'same' origin, 'cors' (allowed cross-origin) or 'refused'. */
  originKind(req: IncomingMessage): 'none' | 'same' | 'cors' | 'refused' {
    const origin = req.headers.origin;
    if (origin === undefined) return 'none';
    const o = origin.trim().toLowerCase();
    if (this.#sameOrigin(o, req.headers.host)) return 'same';
    if (this.#anyOrigin || this.#origins.has(o)) return 'cors';
    return 'refused';
  }

  #sameOrigin(origin: string, host: string | undefined): boolean {
    if (host === undefined) return false;
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.trim().toLowerCase();
    } catch {
      return false;
    }
  }

  /** Host and Origin checks of any request (GET, POST, OPTIONS, WebSocket upgrade). */
  check(req: IncomingMessage): Refusal | undefined {
    if (!this.hostAllowed(req.headers.host)) {
      const host = String(req.headers.host).slice(0, 100);
      return {
        status: 403,
        message: `host ${JSON.stringify(host)} is not served: add it to --rpc-vhosts (POA_RPC_VHOSTS) to allow it`,
        data: { host },
      };
    }
    if (this.originKind(req) === 'refused') {
      const origin = String(req.headers.origin).slice(0, 100);
      return {
        status: 403,
        message: `origin ${JSON.stringify(origin)} is not allowed: add it to --rpc-cors-origins (POA_RPC_CORS_ORIGINS) to allow it`,
        data: { origin },
      };
    }
    return undefined;
  }

  /** The content-type check of a JSON-RPC POST. */
  checkContentType(req: IncomingMessage): Refusal | undefined {
    const type = mediaType(req.headers['content-type']);
    if (JSON_TYPES.has(type)) return undefined;
    const shown = type === '' ? 'none' : JSON.stringify(type.slice(0, 100));
    return {
      status: 415,
      message: `unsupported content type ${shown}: JSON-RPC requests must be sent with content-type: application/json`,
      data: { contentType: type.slice(0, 100) },
    };
  }

  /** Add the CORS headers an allowed cross-origin request needs (after check() passed). */
  addCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('vary', 'Origin');
    const { origin } = req.headers;
    if (origin !== undefined && this.originKind(req) === 'cors') res.setHeader('access-control-allow-origin', origin);
  }

  /** Answer an OPTIONS request (a CORS preflight, after check() passed). */
  preflight(req: IncomingMessage, res: ServerResponse): void {
    this.addCorsHeaders(req, res);
    res.writeHead(204, {
      allow: CORS_METHODS,
      'access-control-allow-methods': CORS_METHODS,
      'access-control-allow-headers': CORS_HEADERS,
      'access-control-max-age': CORS_MAX_AGE_S,
      'content-length': '0',
    });
    res.end();
  }
}
