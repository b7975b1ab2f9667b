/**
 * The audit log of sensitive actions: who (the token's `sub`, role and store), when, what (the
 * operation, its arguments, the customers or records it touched) and the outcome. Each subgraph keeps
 * its own, in the `audit` collection of its own database, and writes a structured `audit` log line
 * for every entry, so a log pipeline has it even when the database write fails.
 *
 * Entries are written by the kit for every field marked `@audited` in the SDL (merge, erase, stock and
 * points adjustments, redemptions, staff reads of personal data) — see authorizationDirectives.ts —
 * and can be written by subgraph code with {@link AuditLog.record} for actions that are not a field.
 * ADMIN reads them with `GET /internal/audit?first=&after=` on each subgraph.
 */
import { ObjectId, type Filter } from 'mongodb';
import type { Principal } from '../auth/principal';
import { BadUserInputError } from '../errors';
import type { Logger } from '../logger';
import type { IndexDeclaration, MongoStore } from '../mongo';

/** The collection every subgraph keeps its audit entries in. */
export const AUDIT_COLLECTION = 'audit';

/** How an audited action ended. */
export type AuditOutcome = 'OK' | 'DENIED' | 'FAILED';

/** One audit entry as stored. */
export interface AuditEntry {
  _id: ObjectId;
  /** When the action was asked for. */
  at: Date;
  subgraph: string;
  /** What: the schema coordinate, e.g. `Mutation.mergeCustomers`, or a name subgraph code chose. */
  action: string;
  /** Who: null for an anonymous caller. */
  actor: { sub: string; role: string; storeId?: string } | null;
  /** The arguments, strings cut to 200 characters. */
  arguments: Record<string, unknown>;
  /** Ids of the records returned or changed (customer ids for reads), when the result names them. */
  targetIds: string[];
  outcome: AuditOutcome;
  /** The error code of a DENIED or FAILED action. */
  code?: string;
  requestId: string;
}

/** What a caller gives {@link AuditLog.record}; the rest is filled in. */
export type AuditRecord = Omit<AuditEntry, '_id' | 'at' | 'subgraph' | 'actor' | 'targetIds'> & {
  principal: Principal | null;
  targetIds?: string[];
};

/** A page of entries, newest first. */
export interface AuditPage {
  nodes: AuditEntry[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The indexes the audit log needs: newest first, and by target for "who read this customer". */
export const AUDIT_INDEXES: readonly IndexDeclaration[] = [
  { collection: AUDIT_COLLECTION, keys: { at: -1, _id: -1 } },
  { collection: AUDIT_COLLECTION, keys: { targetIds: 1, at: -1 } },
];

const MAX_STRING = 200;
const MAX_DEPTH = 4;

/** Copies arguments for the log: strings cut, depth bounded, so an entry stays small whatever was sent. */
export function auditArguments(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => auditArguments(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = auditArguments(item, depth + 1);
  return copy;
}

/** A subgraph's audit log (see module comment). */
export class AuditLog {
  constructor(
    private readonly store: MongoStore,
    private readonly subgraph: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes one entry and its log line. A failed database write is logged as an error with the whole
   * entry and not thrown: the action already happened, and the log line still records it.
   */
  async record(record: AuditRecord): Promise<AuditEntry> {
    const { principal, targetIds, ...rest } = record;
    const entry: AuditEntry = {
      _id: new ObjectId(),
      at: new Date(),
      subgraph: this.subgraph,
      ...rest,
      arguments: auditArguments(rest.arguments) as Record<string, unknown>,
      actor: principal ? { sub: principal.sub, role: principal.role, ...(principal.storeId ? { storeId: principal.storeId } : {}) } : null,
      targetIds: targetIds ?? [],
    };
    const line = { ...entry, _id: entry._id.toHexString(), at: entry.at.toISOString() };
    try {
      await this.store.collection<AuditEntry>(AUDIT_COLLECTION).insertOne(entry);
      this.logger.info('audit', line);
    } catch (error) {
      this.logger.error('audit entry not stored', { ...line, error });
    }
    return entry;
  }

  /** Entries newest first; `after` is the `endCursor` of the previous page. `first` 1–100. */
  async page(first: number, after?: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw new BadUserInputError(`first must be from 1 to 100, got ${first}`, { field: 'first' });
    let filter: Filter<AuditEntry> = {};
    if (after) {
      if (!/^[0-9a-f]{24}$/.test(after)) throw new BadUserInputError('after must be an endCursor of this log', { field: 'after' });
      filter = { _id: { $lt: new ObjectId(after) } };
    }
    // ObjectIds grow with time within a process; `_id` order is the order entries were written.
    const found = await this.store.collection<AuditEntry>(AUDIT_COLLECTION).find(filter).sort({ _id: -1 }).limit(first + 1).toArray();
    const nodes = found.slice(0, first);
    const last = nodes.at(-1);
    return { nodes, pageInfo: { hasNextPage: found.length > first, endCursor: last ? last._id.toHexString() : null } };
  }
}
