/**
 * Build-time configuration, checked once at start-up so a bad value fails loudly.
 *
 * VITE_API_BASE_URL: where the REST API and the sockets live, e.g. https://chat.example.com.
 * Empty or unset: the same origin as the page (the backend serves the built app itself).
 */

export interface ClientConfig {
  /** Prefix for REST paths ("" = same origin), without a trailing slash. */
  apiBaseUrl: string;
  /** ws:// or wss:// origin for sockets, without a trailing slash. */
  wsBaseUrl: string;
}

export function resolveConfig(
  rawApiBase: string | undefined,
  location: { protocol: string; host: string },
): ClientConfig {
  const apiBaseUrl = (rawApiBase ?? '').trim().replace(/\/+$/, '');
  if (apiBaseUrl === '') {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return { apiBaseUrl: '', wsBaseUrl: `${scheme}//${location.host}` };
  }
  let url: URL;
  try {
    url = new URL(apiBaseUrl);
  } catch {
    throw new Error(`VITE_API_BASE_URL is not a URL: ${JSON.stringify(rawApiBase)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`VITE_API_BASE_URL must start with http:// or https://, got ${rawApiBase}`);
  }
  const wsScheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const path = url.pathname.replace(/\/+$/, '');
  return { apiBaseUrl, wsBaseUrl: `${wsScheme}//${url.host}${path}` };
}

export const config: ClientConfig = resolveConfig(
  import.meta.env.VITE_API_BASE_URL as string | undefined,
  globalThis.location ?? { protocol: 'http:', host: 'localhost' },
);
