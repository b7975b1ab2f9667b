/**
 * Enforces the authorization directives of the SDL (`schema/authorization.graphql`) in a subgraph
 * schema: wraps the resolvers so that every rule is checked before the resolver runs —
 * - a rule on a root field or any other field: checked with the field's arguments and parent object;
 * - a rule on an object type: checked for every field of every object of that type (once per object
 *   and request), and for every `_entities` representation of it before its `__resolveReference` runs;
 * - `@audited` fields: every call (or, `elevatedOnly`, every role-elevated call) written to the
 *   subgraph's audit log with its outcome, refusals included.
 *
 * Resolvers keep their own checks: this is the lock every path goes through, theirs the second lock.
 *
 * Ownership (`@allow(owner:)`) compares the customer id found at the owner path with the token's `sub`
 * of a CUSTOMER; a subgraph may widen it with `isOwner` (customers: a merged duplicate's token owns the
 * survivor; an anonymous sign-up owns the customer it just registered). For `_entities`, an owner path
 * the representation does not carry (`customer.id` of an Order known only by id) is checked on the
 * object `__resolveReference` returns, before any field of it is read.
 */
import {
  GraphQLError,
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import type { AuditLog } from '../audit/auditLog';
import { ForbiddenError, UnauthenticatedError, isDatabaseOutage } from '../errors';
import type { Principal } from './principal';
import { STAFF_PERSON_ROLES, auditRuleOf, decide, fieldRuleOf, typeRuleOf, type AuditRule, type AuthorizationRule } from './authorizationRules';

/** What the enforcement needs from a request context. */
export interface AuthorizationContext {
  principal: Principal | null;
  requestId: string;
}

/** Options for {@link enforceAuthorization}. */
export interface AuthorizationOptions<TContext extends AuthorizationContext = AuthorizationContext> {
  /**
   * True when the caller owns the customer `ownerId` found at an owner path of `source` (the parent
   * object, the representation, or undefined for an argument path).
   * @default the caller is a CUSTOMER whose `sub` is `ownerId`
   */
  isOwner?: (context: TContext, ownerId: string, source: unknown) => boolean;
  /** Where `@audited` calls are written; without it `@audited` is not enforced (test subgraphs). */
  auditLog?: AuditLog;
}

type Resolver = GraphQLFieldResolver<unknown, AuthorizationContext>;
type ResolveReference = (reference: Record<string, unknown>, context: AuthorizationContext, info: GraphQLResolveInfo) => unknown;

/** The default ownership: a CUSTOMER token whose `sub` is the customer id. */
export function isOwnCustomer(context: AuthorizationContext, ownerId: string): boolean {
  return context.principal?.role === 'CUSTOMER' && context.principal.sub === ownerId;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Runs `next` on `value` now, or once it resolves: keeps synchronous resolvers synchronous. */
function then<T, R>(value: T | PromiseLike<T>, next: (resolved: T) => R | PromiseLike<R>): R | PromiseLike<R> {
  return isPromiseLike(value) ? value.then(next) : next(value);
}

/** The error a refused caller gets, worded for the case (as the resolvers' own checks word it). */
export function refusalFor(rule: AuthorizationRule, principal: Principal | null): GraphQLError {
  if (!principal) return new UnauthenticatedError(`${rule.coordinate} needs a valid Authorization: Bearer token`);
  if (rule.owner && principal.role === 'ANALYST') return new ForbiddenError('Analysts see aggregates only, never personal data');
  if (rule.owner && principal.role === 'CUSTOMER') return new ForbiddenError("You may only see and change your own customer's data");
  const roles = [...rule.roles].join(', ');
  return new ForbiddenError(`${rule.coordinate} needs one of the roles ${roles}${rule.owner ? ' or its own customer' : ''}; the token has ${principal.role}`);
}

/** Reads a dotted path of plain properties (arguments, representations). */
function propertyAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The schema wrapper (see module comment). */
class AuthorizationEnforcer {
  // Private: the resolvers as the subgraph wrote them, so owner paths read fields without re-checking.
  private readonly originals = new Map<string, Resolver | undefined>();
  // Private: decisions of type rules per request context and object, so a type's rule runs once per object.
  private readonly objectDecisions = new WeakMap<object, WeakMap<object, Map<AuthorizationRule, unknown>>>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: AuthorizationOptions<AuthorizationContext>,
  ) {}

  apply(): void {
    const types = Object.values(this.schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));
    for (const type of types) for (const field of Object.values(type.getFields())) this.originals.set(`${type.name}.${field.name}`, field.resolve as Resolver | undefined);
    for (const type of types) {
      const typeRule = typeRuleOf(type);
      for (const field of Object.values(type.getFields())) {
        const fieldRule = fieldRuleOf(type, field);
        const audit = auditRuleOf(field);
        if (!typeRule && !fieldRule && !audit) continue;
        field.resolve = this.wrapField(type, field.name, typeRule, fieldRule, audit) as typeof field.resolve;
      }
      if (typeRule && !typeRule.public) this.wrapResolveReference(type, typeRule);
    }
  }

  /** True when `context`'s caller owns the customer at `rule.owner`, reading object paths through the original resolvers. */
  private ownerCheck(rule: AuthorizationRule, type: GraphQLObjectType, source: unknown, args: Record<string, unknown>, context: AuthorizationContext, info: GraphQLResolveInfo): boolean | PromiseLike<boolean> {
    const owner = rule.owner;
    if (!owner) return false;
    const value = owner.from === 'argument' ? propertyAt(args, owner.path) : this.readObjectPath(type, source, owner.path, context, info);
    return then(value, (id) => {
      const ids = Array.isArray(id) ? id : [id];
      const isOwner = this.options.isOwner ?? isOwnCustomer;
      return ids.some((candidate) => typeof candidate === 'string' && isOwner(context, candidate, source));
    });
  }

  /** Reads `path` (field names) from `source` of `type` with the subgraph's own resolvers. */
  private readObjectPath(type: GraphQLObjectType, source: unknown, path: readonly string[], context: AuthorizationContext, info: GraphQLResolveInfo): unknown {
    const [head, ...rest] = path;
    if (head === undefined || source === null || source === undefined) return source;
    const field = type.getFields()[head];
    if (!field) return undefined;
    const original = this.originals.get(`${type.name}.${head}`);
    const value = original ? original(source, {}, context, { ...info, fieldName: head, parentType: type }) : defaultFieldResolver(source, {}, context, { ...info, fieldName: head });
    if (rest.length === 0) return value;
    const next = getNamedType(field.type);
    return then(value, (resolved) => (isObjectType(next) ? this.readObjectPath(next, resolved, rest, context, info) : undefined));
  }

  /** Checks `rule`; resolves to whether it allowed through the caller's role (for the audit), throws when refused. */
  private check(rule: AuthorizationRule, type: GraphQLObjectType, source: unknown, args: Record<string, unknown>, context: AuthorizationContext, info: GraphQLResolveInfo): boolean | PromiseLike<boolean> {
    const decision = decide(rule, context.principal);
    if (decision.kind === 'allow') return decision.elevated;
    if (decision.kind === 'deny') throw refusalFor(rule, context.principal);
    return then(this.ownerCheck(rule, type, source, args, context, info), (owns) => {
      if (!owns) throw refusalFor(rule, context.principal);
      return false;
    });
  }

  /** A type rule, decided once per object and request. */
  private checkObject(rule: AuthorizationRule, type: GraphQLObjectType, source: unknown, context: AuthorizationContext, info: GraphQLResolveInfo): unknown {
    if (source === null || typeof source !== 'object' || typeof context !== 'object' || context === null) return this.check(rule, type, source, {}, context, info);
    let byObject = this.objectDecisions.get(context);
    if (!byObject) this.objectDecisions.set(context, (byObject = new WeakMap()));
    let byRule = byObject.get(source);
    if (!byRule) byObject.set(source, (byRule = new Map()));
    if (!byRule.has(rule)) {
      let decision: unknown;
      try {
        decision = this.check(rule, type, source, {}, context, info);
      } catch (error) {
        decision = { refused: error };
      }
      byRule.set(rule, decision);
    }
    const decision = byRule.get(rule);
    if (decision && typeof decision === 'object' && 'refused' in decision) throw (decision as { refused: unknown }).refused;
    return decision;
  }

  private wrapField(type: GraphQLObjectType, fieldName: string, typeRule: AuthorizationRule | undefined, fieldRule: AuthorizationRule | undefined, audit: AuditRule | undefined): Resolver {
    const original = this.originals.get(`${type.name}.${fieldName}`) ?? defaultFieldResolver;
    const auditLog = this.options.auditLog;
    const authorizeAndResolve = (source: unknown, args: Record<string, unknown>, context: AuthorizationContext, info: GraphQLResolveInfo, onElevated: (elevated: boolean) => void) => {
      const typeCheck = typeRule && !typeRule.public ? this.checkObject(typeRule, type, source, context, info) : false;
      return then(typeCheck, (typeElevated) => {
        const fieldCheck = fieldRule ? this.check(fieldRule, type, source, args, context, info) : false;
        return then(fieldCheck, (fieldElevated) => {
          onElevated(Boolean(typeElevated) || Boolean(fieldElevated));
          return original(source, args, context, info);
        });
      });
    };
    if (!audit || !auditLog) return (source, args, context, info) => authorizeAndResolve(source, args, context, info, () => undefined);

    const coordinate = `${type.name}.${fieldName}`;
    return async (source, args, context, info) => {
      let elevated = false;
      const recordIf = (outcome: 'OK' | 'DENIED' | 'FAILED', result: unknown, error?: unknown) => {
        const staffCall = context.principal !== null && STAFF_PERSON_ROLES.has(context.principal.role);
        if (audit.elevatedOnly && !(elevated && staffCall)) return Promise.resolve();
        const code = !error ? undefined : isDatabaseOutage(error) ? 'DATABASE_UNAVAILABLE' : error instanceof GraphQLError ? String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'INTERNAL_SERVER_ERROR';
        return auditLog
          .record({ action: coordinate, principal: context.principal, arguments: args, targetIds: idsOf(result), outcome, ...(code ? { code } : {}), requestId: context.requestId })
          .then(() => undefined);
      };
      let result: unknown;
      try {
        result = await authorizeAndResolve(source, args, context, info, (value) => {
          elevated = value;
        });
      } catch (error) {
        const denied = error instanceof GraphQLError && (error.extensions?.code === 'FORBIDDEN' || error.extensions?.code === 'UNAUTHENTICATED');
        // A refusal is recorded whoever asked: who tried to reach what they may not is the point of an audit log.
        if (denied) await auditLog.record({ action: coordinate, principal: context.principal, arguments: args, outcome: 'DENIED', code: String(error.extensions.code), requestId: context.requestId });
        else await recordIf('FAILED', undefined, error);
        throw error;
      }
      await recordIf('OK', result);
      return result;
    };
  }

  private wrapResolveReference(type: GraphQLObjectType, rule: AuthorizationRule): void {
    const extensions = type.extensions as { apollo?: { subgraph?: { resolveReference?: ResolveReference } } };
    const subgraphExtensions = ((extensions as { apollo?: object }).apollo ??= {}) as { subgraph?: { resolveReference?: ResolveReference } };
    const holder = (subgraphExtensions.subgraph ??= {});
    const original: ResolveReference = holder.resolveReference ?? ((reference) => reference);
    holder.resolveReference = (reference, context, info) => {
      const decision = decide(rule, context.principal);
      if (decision.kind === 'allow') return original(reference, context, info);
      if (decision.kind === 'deny') throw refusalFor(rule, context.principal);
      // Owner: from the representation when it carries the path (a Customer's `id`), else from what it resolves to.
      const owner = rule.owner;
      const fromRepresentation = owner?.from === 'object' ? propertyAt(reference, owner.path) : undefined;
      const isOwner = this.options.isOwner ?? isOwnCustomer;
      if (typeof fromRepresentation === 'string' && isOwner(context, fromRepresentation, reference)) return original(reference, context, info);
      return then(original(reference, context, info), (resolved) => {
        if (resolved === null || resolved === undefined) return resolved;
        return then(this.ownerCheck(rule, type, resolved, {}, context, info), (owns) => {
          if (!owns) throw refusalFor(rule, context.principal);
          return resolved;
        });
      });
    };
  }
}

/** Ids named by a result: its `id`/`_id`, or those of its items or connection `nodes`. */
function idsOf(result: unknown): string[] {
  const one = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    const record = value as { id?: unknown; _id?: unknown };
    const id = record.id ?? record._id;
    return typeof id === 'string' ? id : id !== undefined && id !== null && typeof (id as { toString?: unknown }).toString === 'function' ? String(id) : undefined;
  };
  if (Array.isArray(result)) return result.map(one).filter((id): id is string => id !== undefined).slice(0, 100);
  const nodes = result !== null && typeof result === 'object' ? (result as { nodes?: unknown }).nodes : undefined;
  if (Array.isArray(nodes)) return idsOf(nodes);
  const id = one(result);
  return id ? [id] : [];
}

/** Wraps `schema`'s resolvers in place to enforce its authorization directives (see module comment); returns it. */
export function enforceAuthorization<TContext extends AuthorizationContext>(schema: GraphQLSchema, options: AuthorizationOptions<TContext> = {}): GraphQLSchema {
  new AuthorizationEnforcer(schema, options as AuthorizationOptions<AuthorizationContext>).apply();
  return schema;
}
