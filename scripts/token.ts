/**
 * `npm run token -- --role AGENT [--sub agent-1] [--store MX-CDMX-CENTRO] [--hours 12]` prints a JWT
 * signed with the configured key (the dev key unless JWT_SIGNING_KEY is set), for curl, the playground
 * and tests. Refuses to mint with the dev key when NODE_ENV=production (readAuthConfig does).
 */
import { parseArgs } from 'node:util';
import { ROLES, isRole, readAuthConfig, signToken, type Role } from '../subgraphs/kit/src';

/** Who each role is by default in the demo data. */
const DEFAULT_SUBJECT: Record<Role, string> = {
  CUSTOMER: 'cus_000005',
  ASSOCIATE: 'associate-cdmx-1',
  AGENT: 'agent-1',
  ANALYST: 'analyst-1',
  ADMIN: 'admin-1',
  SERVICE: 'service-cli',
};

function fail(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run token -- --role <${ROLES.join('|')}> [--sub <id>] [--store <locationId>] [--hours <n>]\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { role: { type: 'string' }, sub: { type: 'string' }, store: { type: 'string' }, hours: { type: 'string' } },
  strict: true,
});
const role = values.role?.toUpperCase();
if (!isRole(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
const hours = values.hours === undefined ? 12 : Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) fail('--hours must be a number of hours between 0 and 720');
const storeId = values.store ?? (role === 'ASSOCIATE' ? 'MX-CDMX-CENTRO' : undefined);
const token = signToken({ sub: values.sub ?? DEFAULT_SUBJECT[role], role, ...(storeId ? { storeId } : {}) }, readAuthConfig(), Math.round(hours * 3600));
process.stdout.write(`${token}\n`);
