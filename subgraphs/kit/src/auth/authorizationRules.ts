/**
 * The authorization directives of `schema/authorization.graphql` (`@public`, `@allow`, `@audited`)
 * read from a subgraph schema into plain rules, and the decision a rule makes for a caller. Kept apart
 * from the resolver wrapping (authorizationDirectives.ts) so the README table and the tests can read
 * the same rules the subgraphs enforce.
 */
import {
  Kind,
  isObjectType,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { isRole, type Principal, type Role } from './principal';

/** The URL subgraphs `@link` to import the directives. */
export const AUTHORIZATION_SPEC_URL = 'https://zocalo.dev/authorization/v1.0';

/** Where `@allow(owner:)` finds the customer id: in the arguments (`$input.customerId`) or the object (`customer.id`). */
export interface OwnerPath {
  from: 'argument' | 'object';
  /** Segments of the path, e.g. `['input', 'customerId']`. */
  path: readonly string[];
  /** As written in the SDL. */
  text: string;
}

/** One `@public` or `@allow` rule. */
export interface AuthorizationRule {
  /** `@public`: anyone, with or without a token. */
  public: boolean;
  /** Roles allowed whatever the data (empty for `@public`). */
  roles: ReadonlySet<Role>;
  /** With `@allow(owner:)`: also the CUSTOMER whose id is there. */
  owner?: OwnerPath;
  /** `Type` or `Type.field`, for messages. */
  coordinate: string;
}

/** `@audited` on a field. */
export interface AuditRule {
  /** Only calls staff make through their role (the role-elevated reads). */
  elevatedOnly: boolean;
}

/** Roles of people who serve customers: their reads of a customer's data are "role-elevated". */
export const STAFF_PERSON_ROLES: ReadonlySet<Role> = new Set<Role>(['ASSOCIATE', 'AGENT', 'ADMIN']);

function directiveNamed(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((directive) => directive.name.value === name);
}

function argumentValue(directive: ConstDirectiveNode, name: string): unknown {
  const argument = directive.arguments?.find((candidate) => candidate.name.value === name);
  return argument ? valueFromASTUntyped(argument.value) : undefined;
}

/** Parses `$input.customerId` or `customer.id`; throws on anything else, so a typo stops the subgraph at build. */
export function parseOwnerPath(text: string, coordinate: string): OwnerPath {
  const fromArgument = text.startsWith('$');
  const path = (fromArgument ? text.slice(1) : text).split('.');
  if (path.some((segment) => !/^[_A-Za-z][_0-9A-Za-z]*$/.test(segment))) {
    throw new Error(`@allow(owner: ${JSON.stringify(text)}) on ${coordinate} is not a path like "$customerId", "$input.customerId" or "customer.id"`);
  }
  return { from: fromArgument ? 'argument' : 'object', path, text };
}

function ruleFrom(directives: readonly ConstDirectiveNode[] | undefined, coordinate: string): AuthorizationRule | undefined {
  const isPublic = directiveNamed(directives, 'public');
  const allow = directiveNamed(directives, 'allow');
  if (isPublic && allow) throw new Error(`${coordinate} has both @public and @allow: choose one`);
  if (isPublic) return { public: true, roles: new Set(), coordinate };
  if (!allow) return undefined;
  const rawRoles = argumentValue(allow, 'roles');
  const roles = (Array.isArray(rawRoles) ? rawRoles : [rawRoles]).filter((role) => role !== undefined);
  for (const role of roles) if (!isRole(role)) throw new Error(`@allow on ${coordinate} names an unknown role ${JSON.stringify(role)}`);
  const owner = argumentValue(allow, 'owner');
  return {
    public: false,
    roles: new Set(roles as Role[]),
    ...(typeof owner === 'string' ? { owner: parseOwnerPath(owner, coordinate) } : {}),
    coordinate,
  };
}

/** The rule declared on an object type (`@public`/`@allow` on the type or one of its extensions). */
export function typeRuleOf(type: GraphQLObjectType): AuthorizationRule | undefined {
  const nodes = [type.astNode, ...type.extensionASTNodes].filter((node) => node !== null && node !== undefined);
  for (const node of nodes) {
    const rule = ruleFrom(node.directives, type.name);
    if (rule) return rule;
  }
  return undefined;
}

/** The rule declared on a field. */
export function fieldRuleOf(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): AuthorizationRule | undefined {
  return ruleFrom(field.astNode?.directives, `${type.name}.${field.name}`);
}

/** `@audited` on a field. */
export function auditRuleOf(field: GraphQLField<unknown, unknown>): AuditRule | undefined {
  const audited = directiveNamed(field.astNode?.directives, 'audited');
  if (!audited) return undefined;
  return { elevatedOnly: argumentValue(audited, 'elevatedOnly') === true };
}

/** What a rule says before any data is looked at. */
export type Decision =
  /** Allowed: `@public`, or the caller's role is listed (`elevated` when staff read a customer's data through their role). */
  | { kind: 'allow'; elevated: boolean }
  /** Allowed only if the caller is the customer at the rule's `owner`. */
  | { kind: 'owner' }
  /** Refused, with the error to throw. */
  | { kind: 'deny' };

/** Decides what `rule` says for `principal` (see {@link Decision}). */
export function decide(rule: AuthorizationRule, principal: Principal | null): Decision {
  if (rule.public) return { kind: 'allow', elevated: false };
  if (principal && rule.roles.has(principal.role)) return { kind: 'allow', elevated: STAFF_PERSON_ROLES.has(principal.role) };
  if (rule.owner) return { kind: 'owner' };
  return { kind: 'deny' };
}

/** Every rule of a schema by coordinate: what the README table and the role matrix test read. */
export function authorizationRulesOf(schema: GraphQLSchema): Map<string, AuthorizationRule> {
  const rules = new Map<string, AuthorizationRule>();
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRule = typeRuleOf(type);
    if (typeRule) rules.set(type.name, typeRule);
    for (const field of Object.values(type.getFields())) {
      const fieldRule = fieldRuleOf(type, field);
      if (fieldRule) rules.set(fieldRule.coordinate, fieldRule);
    }
  }
  return rules;
}

/** True when a type is a resolvable entity (`@key` without `resolvable: false`): `_entities` can reach it. */
export function isResolvableEntity(type: GraphQLObjectType): boolean {
  const keys = [type.astNode, ...type.extensionASTNodes].flatMap((node) => node?.directives ?? []).filter((directive) => directive.name.value === 'key');
  return keys.some((key) => {
    const resolvable = key.arguments?.find((argument) => argument.name.value === 'resolvable');
    return !(resolvable && resolvable.value.kind === Kind.BOOLEAN && !resolvable.value.value);
  });
}
