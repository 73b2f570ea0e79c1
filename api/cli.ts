import { parseArgs } from 'node:util';
import { connectDatabase } from '../shared/db/connect.ts';
import { startDevDatabase } from '../shared/dev-environment.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { loadConfigOrExit, parseEnv } from '../shared/env.ts';
import { z } from 'zod';
import { createApiKey } from './auth/api-keys.ts';
import { roles } from './auth/auth.schemas.ts';
import { generatePassword } from './auth/passwords.ts';
import { findUserByEmail, insertActiveUser } from './auth/users.repository.ts';
import { recordAudit } from './audit/audit-log.ts';
import { insertCompany } from './companies/companies.repository.ts';
import { scoreInterview } from './scoring/scorecards.ts';
import { createLogger } from '../shared/logger.ts';
import { apiEnvSchema, scoringEnvKeys, scoringSettings } from './config.ts';

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending database migrations
  create-company --name <name> [--region AE] create a company and print its first API key
  create-admin-key --name <name>            create an admin key that sees every company
  create-user --company <id> --email <address> [--name <name>] [--role admin|recruiter|reviewer]
                                            create an HR workspace user (admin by default) and print a password
  rescore <interview-id>                    evaluate a finished interview again (needs a language model: GOOGLE_API_KEY, or LLM_PROVIDER=openai)

Keys and passwords are printed once; only their hashes are stored.`;

const dbEnv = apiEnvSchema.partial({ DATABASE_URL: true }).pick({ DATABASE_URL: true, ...scoringEnvKeys });

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      region: { type: 'string' },
      company: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${usage}\n`);
    return command ? 0 : 64;
  }
  const env = loadConfigOrExit(() => parseEnv(dbEnv, process.env));
  // Without DATABASE_URL: the embedded Postgres of `npm start` (started for this command if it is not running).
  const server = env.DATABASE_URL ? undefined : await startDevDatabase();
  const database = await connectDatabase({ url: env.DATABASE_URL ?? server!.url, poolSize: 2 });
  const cli = { type: 'cli' as const, id: process.env.USER ?? null, ip: null, userAgent: null };
  try {
    await migrateToLatest(database.db);
    switch (command) {
      case 'migrate':
        process.stdout.write('Database is at the latest migration.\n');
        return 0;
      case 'create-company': {
        if (!values.name) throw new UsageError('--name is required');
        if (values.region && !/^[A-Z]{2}$/.test(values.region)) throw new UsageError('--region must be like AE');
        const result = await database.db.transaction().execute(async (trx) => {
          const company = await insertCompany(trx, { name: values.name!, defaultPhoneRegion: values.region });
          const key = await createApiKey(trx, { companyId: company.id, isAdmin: false, name: 'first key' });
          await recordAudit(trx, cli, { companyId: company.id, action: 'company.create', targetType: 'company', targetId: company.id });
          return { company, key };
        });
        process.stdout.write(
          `Company ${result.company.name} (${result.company.id})\nAPI key (shown once): ${result.key.key}\n`,
        );
        return 0;
      }
      case 'create-admin-key': {
        const key = await createApiKey(database.db, { companyId: null, isAdmin: true, name: values.name ?? 'admin' });
        await recordAudit(database.db, cli, { companyId: null, action: 'api_key.create_admin', targetType: 'api_key', targetId: key.id });
        process.stdout.write(`Admin API key (shown once): ${key.key}\n`);
        return 0;
      }
      case 'create-user': {
        const company = values.company;
        if (!company || !/^[0-9a-f-]{36}$/i.test(company)) throw new UsageError('--company needs a company id');
        const email = z.email().safeParse(values.email ?? '');
        if (!email.success) throw new UsageError('--email needs an e-mail address');
        const role = z.enum(roles).safeParse(values.role ?? 'admin');
        if (!role.success) throw new UsageError('--role must be admin, recruiter or reviewer');
        if (!(await database.db.selectFrom('companies').select('id').where('id', '=', company).executeTakeFirst())) {
          throw new UsageError(`no company ${company}`);
        }
        if (await findUserByEmail(database.db, email.data)) throw new UsageError(`${email.data} already has an account`);
        // Generated rather than taken as an argument, which would stay in the shell's history.
        const password = generatePassword();
        const user = await database.db.transaction().execute(async (trx) => {
          const user = await insertActiveUser(trx, {
            companyId: company,
            email: email.data,
            name: values.name ?? '',
            role: role.data,
            password,
          });
          await recordAudit(trx, cli, {
            companyId: company,
            action: 'user.create',
            targetType: 'user',
            targetId: user.id,
            details: { role: role.data },
          });
          return user;
        });
        process.stdout.write(
          `User ${user.email} (${user.role}, ${user.id})\nPassword (shown once; change it with "Forgot password"): ${password}\n`,
        );
        return 0;
      }
      case 'rescore': {
        const id = positionals[0];
        if (!id || !/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError('rescore needs an interview id');
        const interview = await database.db.selectFrom('interviews').selectAll().where('id', '=', id).executeTakeFirst();
        if (!interview) throw new UsageError(`no interview ${id}`);
        const row = await scoreInterview(
          {
            db: database.db,
            log: createLogger({ level: 'warn', name: 'cli' }),
            now: () => new Date(),
            scoring: scoringSettings(env),
          },
          interview,
          're_score',
        );
        process.stdout.write(
          `Scorecard version ${row.version}: ${row.status}${row.pendingReason ? ` (${row.pendingReason})` : ''}, ` +
            `overall ${row.overallScore ?? '-'}, recommendation ${row.recommendation ?? '-'}\n`,
        );
        return 0;
      }
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } finally {
    await database.destroy();
    await server?.stop();
  }
}

class UsageError extends Error {}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exitCode = 64;
  } else {
    throw error;
  }
}
