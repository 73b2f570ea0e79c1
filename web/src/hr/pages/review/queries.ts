// What the review of one interview asks the API for, as TanStack Query options: the page reads them, and the
// workspace's start (hr-app.tsx) asks for them as soon as it knows the URL is a review, beside the session check and
// while the page's own chunk is still loading, instead of after both.
import type { QueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../../api.ts';

/** A missing resource (404) as null, so "no scorecard yet" is a state and not an error. */
async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

const path = (id: string) => ({ params: { path: { id } } });

export const reviewQueries = {
  /**
   * With a client, the interview's candidate and job are asked for the moment the answer names them, before the
   * page hears of it: asked after (a .then, an enabled query), they waited for the review's first render, a quarter
   * of a second with a long transcript on a busy machine, and came back to render it again.
   */
  interview: (id: string, queryClient?: QueryClient) => ({
    queryKey: ['interview', id, 'detail'],
    queryFn: async () => {
      const detail = await unwrap(api.GET('/v1/interviews/{id}', path(id)));
      if (queryClient) {
        void queryClient.prefetchQuery(reviewQueries.candidate(detail.candidateId));
        void queryClient.prefetchQuery(reviewQueries.job(detail.jobId));
      }
      return detail;
    },
  }),
  candidate: (id: string) => ({
    queryKey: ['candidate', id],
    queryFn: () => unwrap(api.GET('/v1/candidates/{id}', path(id))),
  }),
  job: (id: string) => ({
    queryKey: ['job', id],
    queryFn: () => unwrap(api.GET('/v1/jobs/{id}', path(id))),
  }),
  transcript: (id: string) => ({
    queryKey: ['interview', id, 'transcript'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/transcript', path(id))),
  }),
  /** The latest scorecard (version null) or an earlier one. */
  scorecard: (id: string, version: number | null) => ({
    queryKey: ['interview', id, 'scorecard', version],
    queryFn: () =>
      orNull(
        unwrap(
          api.GET('/v1/interviews/{id}/scorecard', { params: { path: { id }, query: version === null ? {} : { version } } }),
        ),
      ),
  }),
  plan: (id: string) => ({
    queryKey: ['interview', id, 'plan'],
    queryFn: () => orNull(unwrap(api.GET('/v1/interviews/{id}/plan', path(id)))),
  }),
  decisions: (id: string) => ({
    queryKey: ['interview', id, 'decisions'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/decisions', path(id))),
  }),
  recording: (id: string) => ({
    queryKey: ['interview', id, 'recording'],
    queryFn: () => unwrap(api.GET('/v1/interviews/{id}/recording/info', path(id))),
  }),
};

/**
 * Everything the review of `id` shows, asked for at once; the candidate and the job as soon as the interview names
 * them (reviewQueries.interview). A failure stays in the cache as that query's error (a 401 also ends the session,
 * which sends the visitor to sign in as any 401 does), and the page shows it or asks again when it mounts.
 */
export function prefetchReview(queryClient: QueryClient, id: string): void {
  const q = reviewQueries;
  void queryClient.prefetchQuery(q.transcript(id));
  void queryClient.prefetchQuery(q.scorecard(id, null));
  void queryClient.prefetchQuery(q.plan(id));
  void queryClient.prefetchQuery(q.decisions(id));
  void queryClient.prefetchQuery(q.recording(id));
  void queryClient.prefetchQuery(q.interview(id, queryClient));
}
