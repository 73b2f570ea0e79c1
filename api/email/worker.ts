import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database, EmailMessage } from '../../shared/db/schema.ts';
import type { Logger } from '../../shared/logger.ts';
import type { ApiConfig } from '../config.ts';

// The durable e-mail runner: a queue in Postgres, claimed with FOR UPDATE SKIP LOCKED and a lease, like the webhook
// worker. Reminders are rows with a future send_at, so they survive restarts and no in-memory timer is involved.
// Without SMTP_URL the runner "delivers" to the local outbox (status local), which the API lists.

export interface EmailWorkerOptions {
  db: Kysely<Database>;
  log: Logger;
  settings: ApiConfig['email'];
  /** The schedule clock: what is due and when to retry. Leases use real time. */
  now?: () => Date;
  holder?: string;
  leaseMs?: number;
  batchSize?: number;
  /** Periodic chores run by the loop about once a minute (scheduling maintenance); failures are logged, not fatal. */
  maintenance?: () => Promise<void>;
}

export interface EmailWorker {
  /** Sends everything due now and returns how many messages it handled. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** 30 s, 1 min, 2 min … capped at an hour: a long SMTP outage costs few attempts, a short one little delay. */
export function emailRetryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export function createEmailWorker(options: EmailWorkerOptions): EmailWorker {
  const { db, log, settings } = options;
  const clock = options.now ?? (() => new Date());
  const holder = options.holder ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? 120_000;
  const batchSize = options.batchSize ?? 20;
  const transport: Transporter | null = settings.smtpUrl
    ? nodemailer.createTransport({
        url: settings.smtpUrl,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      })
    : null;
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let lastMaintenance = 0;

  async function claim(): Promise<EmailMessage[]> {
    const result = await sql<EmailMessage>`
      update email_messages m
         set lease_until = ${new Date(Date.now() + leaseMs)}, lease_holder = ${holder}, attempts = m.attempts + 1, updated_at = now()
       where m.id in (
         select id from email_messages
          where status = 'pending' and send_at <= ${clock()} and (lease_until is null or lease_until < now())
          order by send_at
          limit ${batchSize}
            for update skip locked)
      returning m.*`.execute(db);
    return result.rows;
  }

  async function deliver(m: EmailMessage): Promise<void> {
    const mine = () =>
      db
        .updateTable('emailMessages')
        .where('id', '=', m.id)
        .where('leaseHolder', '=', holder)
        .where('status', '=', 'pending');
    if (!transport) {
      await mine()
        .set({ status: 'local', sentAt: clock(), leaseUntil: null, leaseHolder: null, updatedAt: new Date() })
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
          leaseUntil: null,
          leaseHolder: null,
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
      await mine()
        .set({
          status: exhausted ? 'failed' : 'pending',
          sendAt: exhausted ? m.sendAt : new Date(clock().getTime() + emailRetryDelayMs(m.attempts)),
          lastError: error,
          leaseUntil: null,
          leaseHolder: null,
          updatedAt: new Date(),
        })
        .execute();
      log.warn({ emailId: m.id, kind: m.kind, attempt: m.attempts, exhausted, err: error }, 'e-mail not sent');
    }
  }

  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await claim();
      await Promise.all(batch.map(deliver));
      total += batch.length;
      if (batch.length < batchSize) return total;
    }
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        await runOnce();
        if (options.maintenance && Date.now() - lastMaintenance > 60_000) {
          lastMaintenance = Date.now();
          await options.maintenance();
        }
      } catch (err) {
        log.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'e-mail worker cannot reach the database; retrying',
        );
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, settings.pollIntervalMs);
      });
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loopDone = loop();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loopDone;
      transport?.close();
    },
  };
}
