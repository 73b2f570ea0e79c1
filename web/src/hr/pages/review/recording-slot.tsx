/**
 * The recording player's place in the review, above the transcript. The recordings work
 * (`GET /v1/interviews/{id}/recording`) renders its player here and reports the playhead to the review page, which
 * passes the turn under it to <Transcript currentSeq>. Until then there is nothing to show.
 */
export function RecordingSlot(_props: { interviewId: string }) {
  return null;
}
