/**
 * A quick reachability check of the Hub endpoint, run before the download command asks anything: offline, the
 * user learns it at once instead of after the repository id and the file patterns. Any HTTP answer (even an
 * error status) means the endpoint is reachable; only a network failure or the timeout means it is not.
 */

export const REACHABILITY_TIMEOUT_MS = 4000;

export type Reachability = { reachable: true } | { reachable: false; reason: string };

export async function checkReachable(
  url: string,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<Reachability> {
  const timeoutMs = opts.timeoutMs ?? REACHABILITY_TIMEOUT_MS;
  const doFetch = opts.fetch ?? fetch;
  try {
    const response = await doFetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The body of a HEAD answer is empty; cancel it anyway so the socket is released at once.
    await response.body?.cancel().catch(() => undefined);
    return { reachable: true };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return {
        reachable: false,
        reason: `no answer within ${timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`,
      };
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const message = cause instanceof Error ? cause.message : String(cause);
    return { reachable: false, reason: code && !message.includes(code) ? `${code}: ${message}` : message };
  }
}
