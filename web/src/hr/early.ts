// The first page's requests, started by the entry (main.tsx) before the workspace's chunks have loaded and run: for
// a review opened from a link, the session check and the interview's data go out with the chunks instead of after
// them. The workspace's API client (api.ts) takes each answer once, for the same GET, in place of sending it again;
// the answer goes through the client's middleware as any other (a 401 still sends the visitor to sign in). This file
// is in the entry chunk: it stays this small.

const started = new Map<string, Promise<Response>>();

/** Sends these GETs now, with the session cookie, as the client would. */
export function startEarly(paths: string[]): void {
  for (const path of paths) started.set(path, fetch(path, { credentials: 'same-origin' }));
}

/** The answer to this request if the entry already asked for it (once); otherwise undefined. */
export function takeEarly(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET' || started.size === 0) return undefined;
  const url = new URL(request.url);
  if (url.origin !== window.location.origin) return undefined;
  const key = url.pathname + url.search;
  const answer = started.get(key);
  started.delete(key);
  return answer;
}

/** The review's own requests (queries.ts asks for the same paths; the candidate and the job wait for the interview). */
export function reviewPaths(id: string): string[] {
  const at = `/v1/interviews/${id}`;
  return ['/v1/auth/session', at, `${at}/transcript`, `${at}/scorecard`, `${at}/plan`, `${at}/decisions`, `${at}/recording/info`];
}
