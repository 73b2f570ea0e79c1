import { sql, type Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database, EmailMessage } from '../../shared/db/schema.ts';
import { enqueueJob } from '../../shared/jobs.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ApiConfig } from '../config.ts';
import type { TaskDefinition } from '../jobs/runner.ts';

// E-mail on the job runner: one `send-email` job per message, added with the message in the transaction that books,
// moves or cancels (api/email/queue.ts) and due at its send time, so reminders survive restarts and no in-memory timer
// is involved. The message row stays the source of truth: a job sends only a message still pending and due. A failed
// send is retried on our own schedule (emailRetryDelayMs, up to EMAIL_MAX_ATTEMPTS) as a new job, written with the
// failure. Without SMTP_URL messages are "delivered" to the local outbox (status local), which the API lists.

export interface EmailJobOptions {
  db: Kysely<Database>;
  log: Logger;
  settings: ApiConfig['email'];
  /** The schedule clock: what is due and when to retry (tests move it). */
  now?: () => Date;
  /** Called once per message handled, for tests. */
  onHandled?: () => void;
}

/** 30 s, 1 min, 2 min … capped at an hour: a long SMTP outage costs few attempts, a short one little delay. */
export function emailRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** Schedules a message's job at its send time (one pending job per message). */
export function scheduleEmail(db: Kysely<Database>, emailId: string, sendAt: Date): Promise<void> {
  return enqueueJob(db, 'send-email', { emailId }, { jobKey: `email:${emailId}`, runAt: sendAt });
}

export function emailJobs(options: EmailJobOptions): { tasks: Record<string, TaskDefinition>; close(): void } {
  const { db, log, settings } = options;
  const clock = options.now ?? (() => new Date());
  const transport: Transporter | null = settings.smtpUrl
    ? nodemailer.createTransport({
        url: settings.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      })
    : null;

  async function run(payload: { emailId: string }): Promise<void> {
    // Claimed by counting the attempt; a second job for the same message (none is expected) finds it moved on.
    const m = await sql<EmailMessage>`
      update email_messages set attempts = attempts + 1, updated_at = now()
       where id = ${payload.emailId}::uuid and status = 'pending' and send_at <= ${new Date(clock().getTime() + 1_000)}
      returning *`.execute(db).then((r) => r.rows[0]);
    if (!m) return;
    options.onHandled?.();
    await deliver(m);
  }

  async function deliver(m: EmailMessage): Promise<void> {
    const mine = () =>
      db
        .updateTable('emailMessages')
        .where('id', '=', m.id)
        .where('attempts', '=', m.attempts)
        .where('status', '=', 'pending');
    if (!transport) {
      await mine()
        .set({ status: 'local', sentAt: clock(), updatedAt: new Date() })
        .execute();
      return;
    }
    try {
      await transport.sendMail({
        from: settings.from,
        to: m.toAddress,
        replyTo: m.replyTo ?? undefined,
        subject: m.subject,
        text: m.textBody,
        html: m.htmlBody,
        headers: { 'X-Interviewer-Message-Id': m.id },
        ...(m.ics
          ? {
              icalEvent: {
                method: /METHOD:CANCEL/.test(m.ics) ? 'CANCEL' : 'REQUEST',
                filename: 'invite.ics',
                content: m.ics,
              },
            }
          : {}),
      });
      await mine()
        .set({
          status: 'sent',
          sentAt: clock(),
          lastError: null,
          updatedAt: new Date(),
        })
        .execute();
      log.debug({ emailId: m.id, kind: m.kind }, 'e-mail sent');
    } catch (err) {
      const exhausted = m.attempts >= settings.maxAttempts;
      // SMTP replies often quote the recipient: addresses are personal data and stay out of logs and error fields.
      const error = (err instanceof Error ? err.message : String(err))
        .replace(/[^\s<>"']+@[^\s<>"']+/g, '<address>')
        .slice(0, 500);
      const sendAt = exhausted ? m.sendAt : new Date(clock().getTime() + emailRetryDelayMs(m.attempts));
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('emailMessages')
          .where('id', '=', m.id)
          .where('attempts', '=', m.attempts)
          .where('status', '=', 'pending')
          .set({ status: exhausted ? 'failed' : 'pending', sendAt, lastError: error, updatedAt: new Date() })
          .returning('id')
          .executeTakeFirst();
        if (updated && !exhausted) await scheduleEmail(trx, m.id, sendAt);
      });
      log.warn({ emailId: m.id, kind: m.kind, attempt: m.attempts, exhausted, err: error }, 'e-mail not sent');
    }
  }

  return {
    // Connection, greeting and socket timeouts above bound each exchange; the job's own covers the whole.
    tasks: { 'send-email': { timeoutMs: 120_000, run } },
    close() {
      transport?.close();
    },
  };
}
