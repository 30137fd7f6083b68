/**
 * Every request to the Hub goes through here, so three rules hold everywhere:
 *  - the token goes to the endpoint's own origin only: redirects are followed by hand (`redirect: 'manual'`)
 *    and the Authorization header is dropped on a hop to another origin (huggingface.co sends file transfers
 *    to a CDN origin; those need no token). The listing may not leave the origin at all;
 *  - the caller's abort signal reaches every request (and its body), plus a time limit per request;
 *  - the paged file listing (@huggingface/hub `src/lib/list-files.ts` follows `Link: rel="next"` until it
 *    ends) is capped in pages and refuses a page it already fetched, so a self-link cannot loop forever.
 */
import { HubDownloadError } from './errors';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export interface GuardedFetchOptions {
  /** The endpoint (`https://huggingface.co`): its origin is the only one that sees the token. */
  readonly hubUrl: string;
  readonly signal?: AbortSignal | undefined;
  /** Injected for tests; defaults to global fetch. */
  readonly fetch?: typeof fetch | undefined;
}

/** Signals combined: any of them aborts. */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new HubDownloadError(`the hub gave an invalid URL: ${url.slice(0, 200)}`);
  }
}

/**
 * fetch with redirects followed by hand: the token never crosses to another origin, and with
 * `sameOriginOnly` (API calls) a hop to another origin is refused outright.
 */
export async function fetchFromHub(
  url: string,
  init: RequestInit,
  opts: GuardedFetchOptions & { readonly sameOriginOnly: boolean },
): Promise<Response> {
  const hubOrigin = originOf(opts.hubUrl);
  const doFetch = opts.fetch ?? fetch;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = originOf(current) === hubOrigin;
    if (!sameOrigin && opts.sameOriginOnly)
      throw new HubDownloadError(
        `the hub sent the request to another origin (${originOf(current)}); refusing to follow it`,
      );
    const headers = new Headers(init.headers);
    if (!sameOrigin) headers.delete('authorization');
    const signal = anySignal([init.signal ?? undefined, opts.signal]);
    const response = await doFetch(current, { ...init, headers, redirect: 'manual', ...(signal ? { signal } : {}) });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || !location) return response;
    await response.body?.cancel().catch(() => undefined);
    current = new URL(location, current).href;
  }
  throw new HubDownloadError(`more than ${MAX_REDIRECTS} redirects from ${originOf(url)}`);
}

/**
 * A fetch for @huggingface/hub's modelInfo/listFiles: same origin only, each request bounded in time,
 * at most `maxRequests` requests, and never the same URL twice (a `next` link back to a page is a loop).
 */
export function listingFetch(
  opts: GuardedFetchOptions & { readonly maxRequests: number; readonly requestTimeoutMs: number },
): typeof fetch {
  const requested = new Set<string>();
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    opts.signal?.throwIfAborted();
    if (requested.has(url))
      throw new HubDownloadError('the hub listing points back to a page it already sent (a loop); stopped');
    if (requested.size >= opts.maxRequests)
      throw new HubDownloadError(`the hub listing did not end after ${opts.maxRequests} pages; stopped`);
    requested.add(url);
    const timeout = AbortSignal.timeout(opts.requestTimeoutMs);
    return fetchFromHub(
      url,
      { ...init, signal: anySignal([init?.signal ?? undefined, timeout]) ?? null },
      {
        ...opts,
        sameOriginOnly: true,
      },
    );
  };
}
