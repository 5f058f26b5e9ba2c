/**
 * Short-lived TURN credentials in the "TURN REST API" scheme that coturn
 * (`use-auth-secret` / `static-auth-secret`) and most hosted TURN services accept:
 * the username is `<expiry unix time>:<user>` and the password is
 * base64(HMAC-SHA1(shared secret, username)). The secret stays on the server; clients
 * get credentials that stop working after `ttlSeconds`.
 */
import { createHmac } from 'node:crypto';

/** Options of {@link createTurnCredentials}. */
export interface TurnCredentialsOptions {
  /** TURN server URLs, e.g. `['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349']`. Required. */
  urls: string | string[];
  /** The secret shared with the TURN server. Required. */
  secret: string;
  /** Lifetime of the credentials, in seconds. Default: 3600. */
  ttlSeconds?: number;
  /** Who the credentials are for (ends up in the TURN server's logs). Default: `'vidai'`. */
  user?: string;
  /** Current time in ms since the epoch (injectable for tests). Default: `Date.now()`. */
  now?: number;
}

/** An ICE server entry with TURN credentials, as `RTCPeerConnection` takes it. */
export interface TurnIceServer {
  /** TURN URLs. */
  urls: string[];
  /** `<expiry>:<user>`. */
  username: string;
  /** base64 HMAC-SHA1 of the username. */
  credential: string;
}

/**
 * Creates TURN credentials valid for `ttlSeconds`.
 *
 * @example
 * ```ts
 * const turn = createTurnCredentials({ urls: 'turn:turn.example.com:3478', secret: process.env.TURN_SECRET! });
 * const server = new InferenceServer({ detector, iceServers: [turn], clientIceServers: () => [createTurnCredentials(...)] });
 * ```
 */
export function createTurnCredentials(options: TurnCredentialsOptions): TurnIceServer {
  const urls = typeof options.urls === 'string' ? [options.urls] : [...options.urls];
  if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || !/^turns?:/.test(u))) {
    throw new TypeError(`createTurnCredentials: urls must be turn: or turns: URLs, got ${JSON.stringify(options.urls)}`);
  }
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new TypeError('createTurnCredentials: secret must be a non-empty string');
  }
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new TypeError(`createTurnCredentials: ttlSeconds must be a positive integer, got ${ttl}`);
  const user = options.user ?? 'vidai';
  if (user.includes(':')) throw new TypeError('createTurnCredentials: user must not contain ":"');
  const expiry = Math.floor((options.now ?? Date.now()) / 1000) + ttl;
  const username = `${expiry}:${user}`;
  const credential = createHmac('sha1', options.secret).update(username).digest('base64');
  return { urls, username, credential };
}
