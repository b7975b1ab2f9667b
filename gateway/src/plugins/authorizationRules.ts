/**
 * Who may read what, as the served supergraph declares it: `GET /authorization` lists every type and
 * field carrying `@public`, `@allow` or `@audited` (schema/authorization.graphql), so the playground
 * and channel developers can show the rule next to a field. Introspection does not carry applied
 * directives, hence this route. The subgraphs enforce the rules; the gateway only reports them.
 * Served only while introspection is allowed (off in production unless `INTROSPECTION=true`).
 */
import { readFileSync } from 'node:fs';
import { Kind, parse, print, type ConstDirectiveNode } from 'graphql';
import { AUTHORIZATION_SPEC_URL, sendJson } from '../../../subgraphs/kit/src';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';

/** The rules of one type or field. */
export interface AuthorizationListing {
  /** `Type` or `Type.field`. */
  coordinate: string;
  public?: true;
  roles?: string[];
  /** `@allow(owner:)`: where the owning customer's id is. */
  owner?: string;
  /** `@audited`: `all` or `elevated` (role-elevated calls only). */
  audited?: 'all' | 'elevated';
}

const NAMES = new Set(['public', 'allow', 'audited']);

function listingOf(coordinate: string, directives: readonly ConstDirectiveNode[] | undefined): AuthorizationListing | undefined {
  const ours = (directives ?? []).filter((directive) => NAMES.has(directive.name.value));
  if (ours.length === 0) return undefined;
  const listing: AuthorizationListing = { coordinate };
  for (const directive of ours) {
    const argument = (name: string) => directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
    if (directive.name.value === 'public') listing.public = true;
    if (directive.name.value === 'allow') {
      const roles = argument('roles');
      listing.roles = roles?.kind === Kind.LIST ? roles.values.map((value) => print(value)) : roles ? [print(roles)] : [];
      const owner = argument('owner');
      if (owner?.kind === Kind.STRING) listing.owner = owner.value;
    }
    if (directive.name.value === 'audited') {
      const elevated = argument('elevatedOnly');
      listing.audited = elevated?.kind === Kind.BOOLEAN && elevated.value ? 'elevated' : 'all';
    }
  }
  return listing;
}

/** Every rule declared in a supergraph SDL, in schema order. */
export function readAuthorizationRules(supergraphSdl: string): AuthorizationListing[] {
  const listings: AuthorizationListing[] = [];
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition.name.value;
    const typeListing = listingOf(type, definition.directives);
    if (typeListing) listings.push(typeListing);
    for (const field of definition.fields ?? []) {
      const fieldListing = listingOf(`${type}.${field.name.value}`, field.directives);
      if (fieldListing) listings.push(fieldListing);
    }
  }
  return listings;
}

/** The `/authorization` route (see module comment). */
export const authorizationRulesFeature: GatewayFeatureFactory = ({ config }): GatewayFeature => {
  if (!config.introspection) return { name: 'authorizationRules' };
  const rules = readAuthorizationRules(readFileSync(config.supergraphPath, 'utf8'));
  return {
    name: 'authorizationRules',
    routes: {
      '/authorization': (request, response) => {
        if (request.method !== 'GET') return sendJson(response, 405, { errors: [{ message: 'Use GET', extensions: { code: 'BAD_REQUEST' } }] }, { allow: 'GET' });
        sendJson(response, 200, { spec: AUTHORIZATION_SPEC_URL, rules });
      },
    },
  };
};
