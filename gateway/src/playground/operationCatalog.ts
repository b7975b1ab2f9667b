/**
 * The example operations of each channel, read from `operations/<client>/<Name>.graphql` with their
 * `<Name>.json` beside them (`{ step, description, role, sub?, storeId?, variables }`). The same files
 * are the playground's collections, the trusted documents of the channel frontends (hash = sha256 of
 * the `.graphql` file text) and the cases of the test that runs them against the seeded estate, so an
 * example that stops working fails a test instead of rotting in a wiki.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type OperationTypeNode } from 'graphql';
import { isRole, repositoryRoot, type Role } from '../../../subgraphs/kit/src';

/** The channel clients, in the order the playground lists them; each is a folder of `operations/`. */
export const OPERATION_CLIENTS = ['pos', 'web', 'app', 'call-centre', 'whatsapp', 'analyst'] as const;

/** A client folder of `operations/`. */
export type OperationClient = (typeof OPERATION_CLIENTS)[number];

/** What a person calls each client, for the playground and the docs. */
export const CLIENT_TITLES: Record<OperationClient, string> = {
  pos: 'Store POS',
  web: 'Web shop',
  app: 'Mobile app',
  'call-centre': 'Call centre',
  whatsapp: 'WhatsApp bot',
  analyst: 'Analyst',
};

/** One example operation with how to run it. */
export interface ExampleOperation {
  client: OperationClient;
  /** The operation's name, which is also the file's name. */
  name: string;
  /** Repository-relative path of the `.graphql` file. */
  path: string;
  /** The file's text, exactly: the trusted document. */
  document: string;
  /** Hex sha256 of `document`. */
  sha256: string;
  operationType: OperationTypeNode;
  /** Order within its client's journey. */
  step: number;
  /** What a frontend developer uses it for. */
  description: string;
  /** The role whose token it runs with; null for public operations (no token). */
  role: Role | null;
  /** The token's subject (a demo customer id for CUSTOMER). */
  sub?: string;
  /** The token's store, for ASSOCIATE. */
  storeId?: string;
  /** Variables valid against the seeded demo data (any size: they use its first ids). */
  variables: Record<string, unknown>;
}

/** The folder of the examples: `operations/` at the repository root. */
export function operationsFolder(): string {
  return join(repositoryRoot(), 'operations');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readExample(folder: string, client: OperationClient, file: string): ExampleOperation {
  const name = file.replace(/\.graphql$/, '');
  const path = `operations/${client}/${file}`;
  const document = readFileSync(join(folder, client, file), 'utf8');
  const operations = parse(document).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const [operation] = operations;
  // One named operation per file: trusted documents are registered per operation, and the name is how
  // logs, metrics and the playground refer to it.
  if (operations.length !== 1 || !operation || operation.kind !== Kind.OPERATION_DEFINITION) {
    throw new Error(`${path} must hold exactly one operation, found ${operations.length}`);
  }
  if (operation.name?.value !== name) throw new Error(`${path} must name its operation ${name}, found ${operation.name?.value ?? 'an anonymous one'}`);

  const metaPath = join(folder, client, `${name}.json`);
  if (!existsSync(metaPath)) throw new Error(`${path} needs ${name}.json beside it ({ "role", "variables", … })`);
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (error) {
    throw new Error(`operations/${client}/${name}.json is not valid JSON`, { cause: error });
  }
  if (!isRecord(meta)) throw new Error(`operations/${client}/${name}.json must be an object`);
  const { step, description, role, sub, storeId, variables } = meta;
  if (role !== null && !isRole(role)) throw new Error(`operations/${client}/${name}.json: "role" must be a role or null, got ${JSON.stringify(role)}`);
  if (typeof description !== 'string' || description.trim() === '') throw new Error(`operations/${client}/${name}.json needs a "description"`);
  if (typeof step !== 'number' || !Number.isInteger(step)) throw new Error(`operations/${client}/${name}.json needs an integer "step"`);
  if (variables !== undefined && !isRecord(variables)) throw new Error(`operations/${client}/${name}.json: "variables" must be an object`);
  if (sub !== undefined && typeof sub !== 'string') throw new Error(`operations/${client}/${name}.json: "sub" must be a string`);
  if (storeId !== undefined && typeof storeId !== 'string') throw new Error(`operations/${client}/${name}.json: "storeId" must be a string`);
  return {
    client,
    name,
    path,
    document,
    sha256: createHash('sha256').update(document).digest('hex'),
    operationType: operation.operation,
    step,
    description,
    role,
    ...(sub !== undefined ? { sub } : {}),
    ...(storeId !== undefined ? { storeId } : {}),
    variables: variables ?? {},
  };
}

/**
 * Every example, by client (in {@link OPERATION_CLIENTS} order) then step. Throws with the file's path
 * when a file breaks the conventions above.
 */
export function loadOperationCatalog(folder: string = operationsFolder()): ExampleOperation[] {
  const examples: ExampleOperation[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory() && !(OPERATION_CLIENTS as readonly string[]).includes(entry.name)) {
      throw new Error(`operations/${entry.name} is not a known client (${OPERATION_CLIENTS.join(', ')})`);
    }
  }
  for (const client of OPERATION_CLIENTS) {
    const clientFolder = join(folder, client);
    if (!existsSync(clientFolder)) continue;
    const files = readdirSync(clientFolder).filter((file) => file.endsWith('.graphql'));
    examples.push(...files.map((file) => readExample(folder, client, file)).sort((a, b) => a.step - b.step || a.name.localeCompare(b.name)));
  }
  return examples;
}

/**
 * A copy of `variables` in which every `idempotencyKey` string, at any depth, ends with `suffix`: a
 * mutation run again (a test run, a click in the playground) is a new request, not a retry.
 */
export function withFreshIdempotencyKeys(variables: Record<string, unknown>, suffix: string): Record<string, unknown> {
  const renew = (value: unknown, key?: string): unknown => {
    if (key === 'idempotencyKey' && typeof value === 'string') return `${value.replace(/-[^-]*$/, '')}-${suffix}`.slice(0, 100);
    if (Array.isArray(value)) return value.map((item) => renew(item));
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renew(v, k)]));
    return value;
  };
  return renew(variables) as Record<string, unknown>;
}
