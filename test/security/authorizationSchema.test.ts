/**
 * The authorization directives as a schema contract: one definition (schema/authorization.graphql)
 * copied verbatim into every subgraph SDL; every root field and every resolvable entity of every
 * subgraph says who may use it; the composed supergraph carries the directives (so the playground's
 * docs show them); and a mistyped rule stops a subgraph at build rather than opening a hole.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isObjectType, parse, print, type DefinitionNode } from 'graphql';
import {
  AUTHORIZATION_SPEC_URL,
  SUBGRAPH_NAMES,
  enforceAuthorization,
  fieldRuleOf,
  isResolvableEntity,
  loadSubgraphTypeDefs,
  schemaPath,
  typeRuleOf,
} from '../../subgraphs/kit/src';
import { readAuthorizationRules } from '../../gateway/src/plugins/authorizationRules';

const SPEC_NAMES = new Set(['Role', 'public', 'allow', 'audited']);
const specDefinitions = (definitions: readonly DefinitionNode[]) =>
  definitions.filter((definition) => 'name' in definition && definition.name !== undefined && SPEC_NAMES.has(definition.name.value)).map((definition) => print(definition));

describe('the authorization spec', () => {
  const spec = specDefinitions(parse(readFileSync(schemaPath('authorization.graphql'), 'utf8')).definitions);

  it('defines Role, @public, @allow and @audited', () => {
    expect(spec).toHaveLength(4);
  });

  it.each(SUBGRAPH_NAMES)('is copied verbatim into schema/%s.graphql, linked and composed', (name) => {
    const sdl = readFileSync(schemaPath(`${name}.graphql`), 'utf8');
    expect(specDefinitions(parse(sdl).definitions)).toEqual(spec);
    expect(sdl).toContain(`@link(url: "${AUTHORIZATION_SPEC_URL}", import: ["@public", "@allow", "@audited", "Role"])`);
    for (const directive of ['@public', '@allow', '@audited']) expect(sdl).toContain(`@composeDirective(name: "${directive}")`);
  });

  it('reaches the supergraph, where the playground documents it', () => {
    const supergraph = readFileSync(schemaPath('supergraph.graphql'), 'utf8');
    expect(supergraph).toContain(`@link(url: "${AUTHORIZATION_SPEC_URL}"`);
    expect(supergraph).toMatch(/directive @allow\(roles: \[Role!\]!, owner: String\) on OBJECT \| FIELD_DEFINITION/);
    expect(supergraph).toMatch(/\): SalesKpis! [^\n]*@allow\(roles: \[ANALYST, ADMIN\]\)/);
  });
});

describe('the gateway /authorization listing', () => {
  it('reports the rules of the served supergraph', () => {
    const rules = readAuthorizationRules(readFileSync(schemaPath('supergraph.graphql'), 'utf8'));
    expect(rules).toEqual(
      expect.arrayContaining([
        { coordinate: 'Query.salesKpis', roles: ['ANALYST', 'ADMIN'] },
        { coordinate: 'Mutation.eraseCustomer', roles: ['ADMIN'], owner: '$id', audited: 'all' },
        { coordinate: 'Query.searchCustomers', roles: ['ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE'], audited: 'elevated' },
        { coordinate: 'Product', public: true },
        { coordinate: 'Order', roles: ['ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE'], owner: 'customer.id' },
      ]),
    );
  });
});

describe('every subgraph declares who may use each root field and entity', () => {
  it.each(SUBGRAPH_NAMES)('%s', (name) => {
    const schema = buildSubgraphSchema([{ typeDefs: loadSubgraphTypeDefs(name) }]);
    const undeclared: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('_')) continue;
      const isRoot = type.name === 'Query' || type.name === 'Mutation';
      if (!isRoot && !isResolvableEntity(type)) continue;
      if (!isRoot && typeRuleOf(type)) continue;
      // Root fields each; an entity without a type rule needs one on every field but its key.
      for (const field of Object.values(type.getFields())) {
        if (field.name.startsWith('_') || (!isRoot && (field.name === 'id' || field.name === 'sku'))) continue;
        if (!fieldRuleOf(type, field)) undeclared.push(`${type.name}.${field.name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});

describe('a mistyped rule', () => {
  const schemaWith = (rule: string) =>
    buildSubgraphSchema([
      {
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
          enum Role { CUSTOMER ASSOCIATE AGENT ANALYST ADMIN SERVICE }
          directive @public on OBJECT | FIELD_DEFINITION
          directive @allow(roles: [Role!]!, owner: String) on OBJECT | FIELD_DEFINITION
          directive @audited(elevatedOnly: Boolean! = false) on FIELD_DEFINITION
          type Query { thing(id: ID!): String ${rule} }
        `),
      },
    ]);

  it('stops the build: an owner that is not a path, or @public and @allow together', () => {
    expect(() => enforceAuthorization(schemaWith('@allow(roles: [ADMIN], owner: "$input customerId")'))).toThrow(/not a path/);
    expect(() => enforceAuthorization(schemaWith('@public @allow(roles: [ADMIN])'))).toThrow(/both @public and @allow/);
  });

  it('is accepted when well formed', () => {
    expect(() => enforceAuthorization(schemaWith('@allow(roles: [ADMIN], owner: "$id")'))).not.toThrow();
  });
});
