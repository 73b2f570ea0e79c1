import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { databaseUnavailable } from '../../shared/db/errors.ts';
import type { Database, Interview } from '../../shared/db/schema.ts';
import { terminalStatuses } from '../../shared/interview-status.ts';
import { toE164 } from '../../shared/phone.ts';
import { formatRoomCode, normalizeRoomCode } from '../../shared/room-code.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { hasInterviewVoice } from '../interviews/interview-voice.ts';
import { joinWindow, windowState } from '../interviews/join-window.ts';
import { ensurePlan } from '../plans/plans.repository.ts';
import { verifyLink } from '../interviews/signed-link.ts';
import { releaseInterviewerDispatch, releaseSeat, roomNotOpened, roomOpened } from '../../shared/interview-lifecycle.ts';
import { closeInterview, dispatchInterviewer } from '../livekit/interview-lifecycle.ts';
import { consumeRateLimits, refundRateLimits, tooManyAttempts, type LimitRule } from './rate-limit.ts';
import { runJoinStatement, type JoinAttempt, type JoinedInterview, type JoinVerdict } from './join-statement.ts';
import { newParticipantIdentity } from './participant-identity.ts';
import type { JoinBody } from './public.schemas.ts';

/** How the candidate names the interview: the typed room code, or the signed link from the invitation. */
export type InterviewRef = { kind: 'code'; code: string } | { kind: 'link'; token: string };

// One answer for every way a join can fail to find its interview, so nobody can probe who is invited.
const noMatch = () =>
  new AppError(
    'not_found',
    'No open interview matches this code and phone number. Check both, or contact the company that invited you.',
  );

function loadQuery(db: Kysely<Database>) {
  return db
    .selectFrom('interviews')
    .innerJoin('companies', 'companies.id', 'interviews.companyId')
    .innerJoin('jobs', 'jobs.id', 'interviews.jobId')
    .selectAll('interviews')
    .leftJoin('schedulingSettings', 'schedulingSettings.companyId', 'interviews.companyId')
    .select([
      'companies.name as companyName',
      'companies.defaultPhoneRegion as defaultPhoneRegion',
      'companies.recordingEnabled as companyRecords',
      'companies.enabledLanguages as companyLanguages',
      'companies.allowTypedInterviews as typedAnswersAllowed',
      'companies.privacyNoticeUrl',
      'jobs.title as jobTitle',
      'schedulingSettings.replyTo as contactEmail',
    ]);
}

/** The claims of a link we signed, also when outside its validity: the window is answered specifically. */
function linkClaims(deps: AppDeps, token: string) {
  const verdict = verifyLink(deps.config.links.secret, token, deps.now());
  if (verdict.ok) return verdict.claims;
  return verdict.reason === 'expired' || verdict.reason === 'not_yet_valid' ? verdict.claims : undefined;
}

/** Resolves a code or signed link to its interview, for the room's information; a link must carry the current version. */
export async function resolve(deps: AppDeps, ref: InterviewRef) {
  if (ref.kind === 'code') {
    const code = normalizeRoomCode(ref.code);
    if (!code) return undefined;
    return loadQuery(deps.db).where('interviews.roomCode', '=', code).executeTakeFirst();
  }
  const claims = linkClaims(deps, ref.token);
  if (!claims) return undefined;
  const row = await loadQuery(deps.db).where('interviews.id', '=', claims.interviewId).executeTakeFirst();
  return row && row.linkVersion === claims.version ? row : undefined;
}

function joinState(deps: AppDeps, interview: Pick<Interview, 'status' | 'scheduledStart' | 'scheduledEnd'>) {
  const window = joinWindow(interview, deps.config.links);
  const state = terminalStatuses.includes(interview.status) ? ('ended' as const) : windowState(window, deps.now());
  return { window, state };
}

export async function roomInfo(deps: AppDeps, ref: InterviewRef, ip: string) {
  await consumeRateLimits(
    deps.db,
    [{ key: `info:ip:${ip}`, limit: deps.config.rateLimits.perIp * 5 }],
    deps.config.rateLimits.windowSeconds,
    deps.now(),
  );
  const interview = await resolve(deps, ref);
  if (!interview) throw new AppError('not_found', 'No interview matches this code or link.');
  const { window, state } = joinState(deps, interview);
  return {
    companyName: interview.companyName,
    jobTitle: interview.jobTitle,
    type: interview.type,
    maxDurationMinutes: interview.maxDurationMinutes,
    instructions: interview.instructions,
    language: interview.language,
    languageChoices: languageChoices(deps, interview),
    status: interview.status,
    roomCode: formatRoomCode(interview.roomCode),
    defaultPhoneRegion: interview.defaultPhoneRegion,
    window,
    startsAt: interview.scheduledStart,
    contactEmail: interview.contactEmail ?? null,
    joinState: state,
    recorded: interview.companyRecords && !interview.recordingOff,
    typedAnswersAllowed: interview.typedAnswersAllowed,
    privacyNoticeUrl: interview.privacyNoticeUrl,
  };
}

/**
 * The languages the candidate may pick on the join page: the company's enabled ones this deployment has a voice for,
 * while the interview lets the candidate choose and nobody has yet (the first join while scheduled settles it).
 */
function languageChoices(
  deps: AppDeps,
  interview: Pick<Interview, 'languageMode' | 'languageChosenAt' | 'status'> & { companyLanguages: string[] },
): string[] | null {
  if (interview.languageMode !== 'candidate' || interview.languageChosenAt || interview.status !== 'scheduled') return null;
  const offered = interview.companyLanguages.filter((l) => hasInterviewVoice(deps.config.speech, l));
  return offered.length > 0 ? offered : null;
}

/**
 * The candidate's choice, applied on the first join before the interviewer is dispatched: only for an interview in
 * 'candidate' mode, still scheduled, not chosen before, and a language its company enables. One conditional update;
 * an interview that does not qualify keeps its language (the page offers only what qualifies). A changed language
 * drops a plan written in the old one, and a plan in the new one is ensured before the interviewer reads it.
 */
async function applyLanguageChoice(deps: AppDeps, interview: JoinedInterview, language: string): Promise<void> {
  if (!hasInterviewVoice(deps.config.speech, language)) return;
  const chosen = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('interviews')
      .set({ language, languageChosenAt: deps.now() })
      .where('id', '=', interview.id)
      .where('languageMode', '=', 'candidate')
      .where('languageChosenAt', 'is', null)
      .where('status', '=', 'scheduled')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('companies')
            .select('companies.id')
            .whereRef('companies.id', '=', 'interviews.companyId')
            .where(sql<boolean>`${language} = any(companies.enabled_languages)`),
        ),
      )
      .returning('id')
      .executeTakeFirst();
    if (row && language !== interview.language) {
      await trx.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interview.id).execute();
    }
    return row !== undefined;
  });
  if (!chosen) return;
  interview.language = language;
  await ensurePlan(deps.db, interview.id, { settings: deps.config.scoring, log: deps.log });
}

export function refKey(ref: InterviewRef): string {
  if (ref.kind === 'code') return `code:${normalizeRoomCode(ref.code) ?? ref.code.slice(0, 32)}`;
  // Links are long; a hash keeps the key short and stable across every retry of the same link.
  return `link:${createHash('sha256').update(ref.token).digest('base64url').slice(0, 22)}`;
}

/** Which interview a reference names, as the join statement matches it; null when it cannot name any. */
function joinTarget(deps: AppDeps, ref: InterviewRef): JoinAttempt['target'] {
  if (ref.kind === 'code') {
    const code = normalizeRoomCode(ref.code);
    return code ? { roomCode: code } : null;
  }
  // The link's own nbf/exp mirror the join window, which the statement answers specifically.
  const claims = linkClaims(deps, ref.token);
  return claims ? { interviewId: claims.interviewId, linkVersion: claims.version } : null;
}

/**
 * The region to read a phone typed without its country in: the one the page sent, else the company's. The
 * company's is looked up first, by the same reference, only for such input (the join page always sends one); the
 * deployment's region stands in when the reference names nothing, which the statement then answers anyway.
 */
async function phoneRegion(deps: AppDeps, target: JoinAttempt['target'], body: JoinBody): Promise<string> {
  if (body.phoneRegion) return body.phoneRegion;
  if (body.phone.startsWith('+') || !target) return deps.config.join.defaultPhoneRegion;
  const query = deps.db
    .selectFrom('interviews')
    .innerJoin('companies', 'companies.id', 'interviews.companyId')
    .select('companies.defaultPhoneRegion');
  const row = await ('roomCode' in target
    ? query.where('interviews.roomCode', '=', target.roomCode)
    : query.where('interviews.id', '=', target.interviewId).where('interviews.linkVersion', '=', target.linkVersion)
  ).executeTakeFirst();
  return row?.defaultPhoneRegion ?? deps.config.join.defaultPhoneRegion;
}

const notOpenYet = (opensAt: Date, retryAfter: number) =>
  new AppError(
    'not_open_yet',
    `The interview opens at ${opensAt.toISOString()}.`,
    { opensAt: opensAt.toISOString(), retryAfterSeconds: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );

/**
 * Admits the invited candidate: holds the seat so a second device cannot kick the first, opens the room and
 * dispatches the interviewer on first join, and mints a short-lived token for this room only. The join statement
 * (join-statement.ts) decides, in one database round trip, with every rule; this maps its verdict to the answer.
 * LiveKit is asked to open the room on the first join, and about a rejoin only when the database cannot vouch that
 * the candidate's seat is empty.
 */
export async function joinInterview(deps: AppDeps, ref: InterviewRef, body: JoinBody, actor: AuditActor) {
  const { db, config, livekit } = deps;
  const now = deps.now();
  const target = joinTarget(deps, ref);
  const phone = toE164(body.phone, await phoneRegion(deps, target, body));
  const limits: LimitRule[] = [
    { key: `join:ip:${actor.ip}`, limit: config.rateLimits.perIp },
    // Against guessing a code's phone; the invited candidate's own phone passes it, so strangers cannot lock them out.
    { key: `join:${refKey(ref)}`, limit: config.rateLimits.perCode, sparesInvited: true },
    // In E.164, so +971 50…, 050… and 00971 50… count as one phone.
    { key: `join:phone:${phone ?? body.phone.replace(/\D/g, '').slice(-15)}`, limit: config.rateLimits.perPhone },
  ];
  const verdict = await runJoinStatement(db, {
    target,
    phone,
    limits,
    windowSeconds: config.rateLimits.windowSeconds,
    windowBeforeMinutes: config.links.windowBeforeMinutes,
    windowAfterMinutes: config.links.windowAfterMinutes,
    connectGraceSeconds: config.join.connectGraceSeconds,
    proposedIdentity: newParticipantIdentity(),
    now,
    actor,
    via: ref.kind,
  });
  switch (verdict.kind) {
    case 'limited':
      throw tooManyAttempts(verdict.retryAfterSeconds);
    case 'no_match':
      throw noMatch();
    case 'not_open_yet':
      throw notOpenYet(verdict.opensAt, verdict.retryAfterSeconds);
    case 'seat_held':
      await refundRateLimits(db, limits);
      throw alreadyConnected(verdict.retryAfterSeconds);
    case 'admitted':
      if (!verdict.roomWasOpen) {
        // Only the first join (while scheduled) may choose; a rejoin's language is ignored.
        if (body.language) {
          await applyLanguageChoice(deps, verdict.interview, body.language).catch(async (error: unknown) => {
            // The seat and the room mark the statement claimed go back, as when LiveKit will not open the room.
            await roomNotOpened(db, verdict.interview.id, verdict).catch(() => {});
            throw error;
          });
        }
        await openRoomOrRelease(deps, verdict);
      }
      // Not awaited: the join answers at once; the candidate's arrival (or the reconciler) dispatches if this fails.
      else if (!verdict.agentWasDispatched) void redispatch(deps, verdict.interview).catch(() => {});
      break;
    case 'check_presence': {
      const seat = await confirmSeat(deps, verdict, now).catch(async (error: unknown) => {
        if (seatOrLiveKitRefusal(error)) await refundRateLimits(db, limits);
        throw error;
      });
      await recordAudit(db, actor, {
        companyId: verdict.interview.companyId,
        action: 'candidate.join',
        targetType: 'interview',
        targetId: verdict.interview.id,
        // roomReplaced: the room's node was gone, so the seat its last connection held was taken back.
        details: { via: ref.kind, identity: verdict.identity, ...(seat.roomReplaced ? { roomReplaced: true } : {}) },
      });
      break;
    }
  }
  const { interview, identity } = verdict;
  const displayName =
    body.firstName && body.lastName ? `${body.firstName} ${body.lastName}` : interview.candidateName;
  const { token, expiresAt } = await livekit.candidateToken({
    roomName: interview.roomName,
    identity,
    displayName,
    ttlSeconds: config.join.tokenTtlSeconds,
    interviewId: interview.id,
  });
  return {
    token,
    tokenExpiresAt: expiresAt,
    serverUrl: config.livekit.publicUrl,
    roomName: interview.roomName,
    identity,
    displayName,
    companyName: interview.companyName,
    jobTitle: interview.jobTitle,
    type: interview.type,
    language: interview.language,
    instructions: interview.instructions,
    maxDurationMinutes: interview.maxDurationMinutes,
    deadlineAt: interview.deadlineAt ? new Date(interview.deadlineAt) : null,
    answers: config.join.answers,
    contactEmail: interview.contactEmail,
    typedAnswersAllowed: interview.typedAnswersAllowed,
  };
}

/** A refusal of the right phone for the state of the room, not of the attempt: it is not counted against it. */
const seatOrLiveKitRefusal = (error: unknown) =>
  error instanceof AppError && (error.code === 'already_connected' || error.code === 'upstream_unavailable');

const upstreamUnavailable = () =>
  new AppError(
    'upstream_unavailable',
    'The interview room cannot be opened right now. Try again shortly.',
    { retryAfterSeconds: 5 },
    { 'Retry-After': '5' },
  );

/** First join: the statement marked the room open; make it so, or give back the seat and the mark. */
async function openRoomOrRelease(deps: AppDeps, claim: Extract<JoinVerdict, { kind: 'admitted' }>) {
  const { interview } = claim;
  try {
    await deps.livekit.openRoom(interview.roomName, { interviewId: interview.id });
  } catch (error) {
    await roomNotOpened(deps.db, interview.id, claim);
    deps.log.error({ err: error, interviewId: interview.id }, 'LiveKit unavailable during join');
    throw upstreamUnavailable();
  }
}

/**
 * A join to an open room whose interviewer left (the candidate had not arrived in time): the statement claimed the
 * dispatch; send it. The join goes on if LiveKit refuses, since the candidate's arrival dispatches again.
 */
async function redispatch(deps: AppDeps, interview: JoinedInterview) {
  try {
    await deps.livekit.dispatchAgent(interview.roomName, { interviewId: interview.id });
  } catch (error) {
    await releaseInterviewerDispatch(deps.db, interview.id);
    deps.log.warn({ err: error, interviewId: interview.id }, 'interviewer not dispatched at join; the arrival will');
  }
}

const alreadyConnected = (retryAfter: number) =>
  new AppError(
    'already_connected',
    'This interview is already open on another device or tab. Close it there, or wait a few seconds and try again.',
    { retryAfterSeconds: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );

/**
 * A seat the database could not vouch for: the statement claimed it (so of two joins one wins), and LiveKit says
 * whether the identity is still in the room. Issuing it while connected would kick the connected device, so then
 * the seat goes back as it was. A room that no longer exists is opened; one without its interviewer gets one; one
 * that nobody answers for (its LiveKit node died) is opened again on a live node.
 */
async function confirmSeat(
  deps: AppDeps,
  claim: Extract<JoinVerdict, { kind: 'check_presence' }>,
  now: Date,
): Promise<{ roomReplaced: boolean }> {
  const { db, livekit } = deps;
  const { interview, identity } = claim;
  try {
    let present: Awaited<ReturnType<typeof livekit.participants>> = null;
    let replaced = false;
    if (claim.roomWasOpen) {
      try {
        present = await livekit.participants(interview.roomName);
      } catch (error) {
        // With several LiveKit nodes, a node that died takes its rooms with it (LiveKit does not migrate them) and
        // nobody answers for them; its last participants, the candidate among them, never leave. Creating the room
        // again places it on a live node, where it starts empty and its own configuration dispatches the
        // interviewer, which resumes where the interview stopped. If that node cannot answer either, LiveKit is down.
        deps.log.warn({ err: error, interviewId: interview.id }, 'room unanswered at join; opening it again');
        await livekit.openRoom(interview.roomName, { interviewId: interview.id });
        present = await livekit.participants(interview.roomName);
        replaced = true;
      }
    }
    if (present?.some((p) => p.identity === identity)) {
      await releaseSeat(db, interview.id, claim);
      throw alreadyConnected(5);
    }
    if (present === null) {
      await livekit.openRoom(interview.roomName, { interviewId: interview.id });
      await roomOpened(db, interview.id, now);
    } else if (replaced) {
      await roomOpened(db, interview.id, now);
    } else if (!present.some((p) => p.agent)) {
      await dispatchInterviewer(deps, interview).catch((error: unknown) =>
        deps.log.warn({ err: error, interviewId: interview.id }, 'interviewer not dispatched at join; the arrival will'),
      );
    }
    return { roomReplaced: replaced };
  } catch (error) {
    if (error instanceof AppError) throw error;
    await releaseSeat(db, interview.id, claim);
    // The database failing after LiveKit answered is not LiveKit failing.
    if (databaseUnavailable(error)) throw error;
    deps.log.error({ err: error, interviewId: interview.id }, 'LiveKit unavailable during join');
    throw upstreamUnavailable();
  }
}

/**
 * The interview behind a candidate's LiveKit token. The token proves who is asking; an expired one is still accepted
 * for the length of an interview, since candidates hold a token well past its TTL.
 */
async function sessionInterview(deps: AppDeps, bearer: string | undefined): Promise<Interview> {
  if (!bearer) throw new AppError('unauthorized', 'Send the LiveKit token from the join as `Authorization: Bearer`.');
  let claims;
  try {
    claims = await deps.livekit.verifyToken(bearer, 6 * 3600);
  } catch {
    throw new AppError('unauthorized', 'The session token is not valid.');
  }
  const roomName = claims.video?.room;
  if (!roomName || !claims.sub) throw new AppError('unauthorized', 'The session token is not valid.');
  const interview = await deps.db
    .selectFrom('interviews')
    .selectAll()
    .where('roomName', '=', roomName)
    .executeTakeFirst();
  if (!interview || interview.candidateIdentity !== claims.sub) {
    throw new AppError('unauthorized', 'The session token is not valid.');
  }
  return interview;
}

/**
 * How the candidate's own interview stands, for the Done page's wording when the room closed without the agent
 * saying why (e.g. the server enforced the time limit). Only the holder of the join's token can ask.
 */
export async function candidateSessionStatus(deps: AppDeps, bearer: string | undefined) {
  const interview = await sessionInterview(deps, bearer);
  return { status: interview.status, endReason: interview.endReason };
}

/**
 * Ends the candidate's session, authorised by the LiveKit token the join gave it.
 */
export async function endCandidateSession(deps: AppDeps, bearer: string | undefined, actor: AuditActor) {
  const interview = await sessionInterview(deps, bearer);
  const { interview: ended } = await closeInterview(deps, interview, 'candidate_ended', {
    actor: 'candidate',
    alsoInTransaction: (trx, row) =>
      recordAudit(trx, actor, {
        companyId: row.companyId,
        action: 'interview.completed',
        targetType: 'interview',
        targetId: row.id,
        details: { reason: 'candidate_ended' },
      }),
  });
  return { status: ended.status, endReason: ended.endReason };
}
