/**
 * Which subgraph fetches read only public data — and so may be sent without the caller's token and
 * shared with every other caller, like an anonymous shopper's (subgraphFetchSharing.ts).
 *
 * A POS associate's customer 360 asks inventory for the products of the customer's orders and
 * wishlist, with their stock in the store; a signed-in shopper's cart asks for the same products an
 * anonymous shopper's page does. Those fetches carry a token, so until now they were never shared
 * across callers and never cached, although every field they read is `@public` in the schema
 * (`schema/authorization.graphql`): the same answer for anyone. This module decides that from the
 * supergraph's own authorization directives, per fetch document (cached):
 *
 * - every field the fetch selects must be public: `@public` on the field, or no rule on the field and
 *   `@public` on its type; a field of a type without any rule (a value type: `Money`, `StockLevel`)
 *   inherits from the field that returned it; root fields and `_entities` types must say `@public`
 *   themselves. Any `@allow` on the way, any `@audited` field (its log must name the caller), a field
 *   selected directly on an interface or union, a fragment that cannot be resolved, or a document that
 *   is not one query makes the fetch private;
 * - only when the supergraph `@link`s Zócalo's authorization spec (a foreign supergraph's `@public`,
 *   if any, means nothing to us).
 *
 * Why this cannot leak: the fetch classified public is *sent without any token*, so the subgraph
 * itself enforces the anonymous caller's rights on it — a wrong classification can only produce an
 * UNAUTHENTICATED/FORBIDDEN error, never someone else's data; the data source then sends it again with
 * the caller's token (and logs the mismatch). And since the resolvers of public fields do not look at
 * the caller, the caller gets what their token would have got.
 */
import {
  Kind,
  buildASTSchema,
  getNamedType,
  isObjectType,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { AUTHORIZATION_SPEC_URL, auditRuleOf, fieldRuleOf, typeRuleOf } from '../../../subgraphs/kit/src';

/** Most fetch documents whose verdict is remembered (the planner produces a bounded set). */
const MAX_VERDICTS = 5000;

/** Decides which fetch documents read only public fields (see module comment). */
export class PublicFetchClassifier {
  private readonly verdicts = new Map<string, boolean>();

  private constructor(private readonly schema: GraphQLSchema | null) {}

  /** From a supergraph SDL; classifies nothing as public unless it links Zócalo's authorization spec. */
  static fromSupergraph(sdl: string): PublicFetchClassifier {
    if (!sdl.includes(AUTHORIZATION_SPEC_URL)) return new PublicFetchClassifier(null);
    try {
      return new PublicFetchClassifier(buildASTSchema(parse(sdl), { assumeValid: true, assumeValidSDL: true }));
    } catch {
      return new PublicFetchClassifier(null);
    }
  }

  /** True when every field the fetch document selects is public. */
  isPublic(query: string | undefined): boolean {
    if (!this.schema || !query) return false;
    const known = this.verdicts.get(query);
    if (known !== undefined) return known;
    let verdict = false;
    try {
      verdict = this.classify(parse(query));
    } catch {
      verdict = false;
    }
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.clear();
    this.verdicts.set(query, verdict);
    return verdict;
  }

  private classify(document: DocumentNode): boolean {
    const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const [operation] = operations;
    if (operations.length !== 1 || !operation || operation.operation !== 'query') return false;
    const queryType = this.schema?.getQueryType();
    if (!queryType) return false;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    return this.selectionIsPublic(operation.selectionSet, queryType, false, fragments, true);
  }

  /**
   * @param inherited whether the field that returned `type` was public (for types without a rule)
   * @param root the operation's root selection: `_entities` allowed, nothing inherited
   */
  private selectionIsPublic(selectionSet: SelectionSetNode, type: GraphQLNamedType, inherited: boolean, fragments: Map<string, FragmentDefinitionNode>, root: boolean): boolean {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) return false;
        const conditionName = fragment.typeCondition?.name.value;
        const condition = conditionName ? this.schema?.getType(conditionName) : type;
        if (!condition) return false;
        // `_entities { ... on Product { … } }`: the entity type must be public itself.
        if (!this.selectionIsPublic(fragment.selectionSet, condition, root ? false : inherited, fragments, false)) return false;
        continue;
      }
      const name = selection.name.value;
      if (name === '__typename') continue;
      if (root && name === '_entities') {
        // `_Entity` is a union: only `__typename` and fragments on the entity types.
        const entitySelections = selection.selectionSet?.selections ?? [];
        if (entitySelections.some((entity) => entity.kind === Kind.FIELD && entity.name.value !== '__typename')) return false;
        if (!selection.selectionSet || !this.selectionIsPublic(selection.selectionSet, type, false, fragments, true)) return false;
        continue;
      }
      if (!isObjectType(type)) return false;
      const field = type.getFields()[name];
      if (!field) return false;
      if (auditRuleOf(field)) return false;
      const rule = fieldRuleOf(type, field) ?? typeRuleOf(type as GraphQLObjectType);
      const isPublic = rule ? rule.public : !root && inherited;
      if (!isPublic) return false;
      if (selection.selectionSet && !this.selectionIsPublic(selection.selectionSet, getNamedType(field.type), true, fragments, false)) return false;
    }
    return true;
  }
}
