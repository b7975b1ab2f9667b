/**
 * Measures an operation against the schema before anything runs: depth, aliases, root fields,
 * directives per selection, the largest page asked for, how deeply introspection nests lists, and an
 * estimate of how many objects the answer holds (the cost).
 *
 * The cost model: every object a field returns counts 1, times the number of times its parent occurs.
 * A list field returns its `first`/`last` argument's worth of objects, or `defaultListSize` without
 * one; a connection field (`orders(first: 50) { nodes { … } }`) passes its `first` to the lists right
 * inside it. So `searchCustomers(first: 100) { nodes { orders(first: 100) { nodes { lines { … } } } } }`
 * is estimated at 100 × 100 × 10 objects and refused long before any subgraph is called. Leaves cost
 * nothing, and neither does introspection, which is bounded by its own rule (lists nested at most
 * `maxIntrospectionListNesting` deep: the standard introspection query nests three — types, fields,
 * args — while `fields { type { fields { type { fields … } } } }` multiplies without end).
 *
 * Fragments are measured once each and reused, so a document of fragments that spread each other
 * twice over (an exponential "billion laughs") costs linear time to measure; counts add up with their
 * multiplicity and may grow to Infinity, which is refused like any other large number. Validation has
 * already refused fragment cycles by the time this runs; a cycle would still only measure as empty.
 */
import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** What {@link measureOperation} found. */
export interface OperationMeasures {
  /** Deepest field nesting; root fields are depth 1; introspection counts as its root field only. */
  depth: number;
  /** Aliased fields, each fragment counted as often as it is spread. */
  aliases: number;
  /** Fields at the root, `__typename` aside. */
  rootFields: number;
  /** Estimated objects in the answer (see module comment). */
  cost: number;
  /** Deepest nesting of lists inside introspection (`__schema { types { fields { args … } } }` = 3). */
  introspectionListNesting: number;
  /** The selection with the most directives. */
  mostDirectives: { count: number; path: string };
  /** The largest `first`/`last` argument, literal or from a variable. */
  largestPage: { argument: string; value: number; path: string } | undefined;
}

/** Options for {@link measureOperation}. */
export interface MeasureOptions {
  /** Objects assumed for a list field without `first`/`last` (and for a connection without it). */
  defaultListSize: number;
}

interface SetMeasure {
  depth: number;
  aliases: number;
  fields: number;
  cost: number;
  introspectionListNesting: number;
}

const EMPTY: SetMeasure = { depth: 0, aliases: 0, fields: 0, cost: 0, introspectionListNesting: 0 };
const PAGE_ARGUMENTS = new Set(['first', 'last']);

/** Measures `operation` (see module comment). */
export function measureOperation(
  schema: GraphQLSchema,
  fragments: readonly FragmentDefinitionNode[],
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  options: MeasureOptions,
): OperationMeasures {
  const root = schema.getRootType(operation.operation);
  const walker = new OperationWalker(schema, fragments, operation, variables, options.defaultListSize);
  const measure = root ? walker.measureSet(operation.selectionSet, root, undefined, '') : EMPTY;
  return {
    depth: measure.depth,
    aliases: measure.aliases,
    rootFields: measure.fields,
    cost: measure.cost,
    introspectionListNesting: measure.introspectionListNesting,
    mostDirectives: walker.mostDirectives,
    largestPage: walker.largestPage,
  };
}

class OperationWalker {
  mostDirectives = { count: 0, path: '' };
  largestPage: OperationMeasures['largestPage'];
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly memo = new Map<string, SetMeasure>();
  private readonly visiting = new Set<string>();
  private readonly variableDefaults = new Map<string, ValueNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    fragments: readonly FragmentDefinitionNode[],
    operation: OperationDefinitionNode,
    private readonly variables: Readonly<Record<string, unknown>>,
    private readonly defaultListSize: number,
  ) {
    for (const fragment of fragments) this.fragments.set(fragment.name.value, fragment);
    for (const definition of operation.variableDefinitions ?? []) {
      if (definition.defaultValue) this.variableDefaults.set(definition.variable.name.value, definition.defaultValue);
    }
  }

  measureSet(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, pageHint: number | undefined, path: string): SetMeasure {
    const total: SetMeasure = { ...EMPTY };
    for (const selection of selectionSet.selections) {
      const directives = selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        const here = path === '' ? (selection.alias ?? selection.name).value : `${path}.${(selection.alias ?? selection.name).value}`;
        this.noteDirectives(directives, here);
        addField(total, this.measureField(selection, parentType, pageHint, here));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        this.noteDirectives(directives, `${path}…`);
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? this.schema.getType(typeName) : parentType;
        if (type && isCompositeType(type)) add(total, this.measureSet(selection.selectionSet, type, pageHint, path));
      } else {
        this.noteDirectives(directives, `${path}...${selection.name.value}`);
        add(total, this.measureFragment(selection.name.value, pageHint, path));
      }
    }
    return total;
  }

  private measureFragment(name: string, pageHint: number | undefined, path: string): SetMeasure {
    const key = `${name}|${pageHint ?? ''}`;
    const known = this.memo.get(key);
    if (known) return known;
    const fragment = this.fragments.get(name);
    const type = fragment ? this.schema.getType(fragment.typeCondition.name.value) : undefined;
    if (!fragment || !type || !isCompositeType(type) || this.visiting.has(name)) return EMPTY;
    this.visiting.add(name);
    const measure = this.measureSet(fragment.selectionSet, type, pageHint, path);
    this.visiting.delete(name);
    this.memo.set(key, measure);
    return measure;
  }

  private measureField(field: FieldNode, parentType: GraphQLCompositeType, pageHint: number | undefined, path: string): FieldMeasure {
    const name = field.name.value;
    const aliased = field.alias ? 1 : 0;
    if (name === '__typename') return { counted: false, aliases: aliased, depth: 0, cost: 0, introspectionListNesting: 0 };
    const definition = this.fieldDefinition(parentType, name);
    const inIntrospection = parentType.name.startsWith('__') || name.startsWith('__');
    const depthUnit = parentType.name.startsWith('__') ? 0 : 1;
    if (!definition) return { counted: true, aliases: aliased, depth: depthUnit, cost: 0, introspectionListNesting: 0 };

    const page = this.pageSize(field, path);
    const nullable = getNullableType(definition.type);
    const list = isListType(nullable);
    const type = getNamedType(definition.type);
    const child = field.selectionSet && isCompositeType(type) ? this.measureSet(field.selectionSet, type, list ? undefined : page, path) : EMPTY;
    const items = list ? (page ?? pageHint ?? this.defaultListSize) : 1;
    return {
      counted: true,
      aliases: aliased + child.aliases,
      depth: depthUnit + child.depth,
      cost: isCompositeType(type) && !inIntrospection ? items * (1 + child.cost) : 0,
      introspectionListNesting: (inIntrospection && list ? 1 : 0) + child.introspectionListNesting,
    };
  }

  private fieldDefinition(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
    if (isObjectType(parentType) || isInterfaceType(parentType)) return parentType.getFields()[name];
    return undefined;
  }

  // Private: the page size a field asks for (its largest `first`/`last`), noting the largest seen.
  private pageSize(field: FieldNode, path: string): number | undefined {
    let page: number | undefined;
    for (const argument of field.arguments ?? []) {
      if (!PAGE_ARGUMENTS.has(argument.name.value)) continue;
      const value = this.numberOf(argument.value);
      if (value === undefined) continue;
      page = Math.max(page ?? 0, Math.max(0, value));
      if (!this.largestPage || value > this.largestPage.value) this.largestPage = { argument: argument.name.value, value, path };
    }
    return page;
  }

  private numberOf(node: ValueNode): number | undefined {
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind !== Kind.VARIABLE) return undefined;
    const name = node.name.value;
    const supplied = Object.prototype.hasOwnProperty.call(this.variables, name) ? this.variables[name] : undefined;
    if (typeof supplied === 'number') return supplied;
    const fallback = supplied === undefined ? this.variableDefaults.get(name) : undefined;
    return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
  }

  private noteDirectives(count: number, path: string): void {
    if (count > this.mostDirectives.count) this.mostDirectives = { count, path };
  }
}

interface FieldMeasure {
  /** False for `__typename`, which does not count as a field. */
  counted: boolean;
  aliases: number;
  depth: number;
  cost: number;
  introspectionListNesting: number;
}

function addField(total: SetMeasure, field: FieldMeasure): void {
  total.depth = Math.max(total.depth, field.depth);
  total.aliases += field.aliases;
  total.fields += field.counted ? 1 : 0;
  total.cost += field.cost;
  total.introspectionListNesting = Math.max(total.introspectionListNesting, field.introspectionListNesting);
}

function add(total: SetMeasure, part: SetMeasure): void {
  total.depth = Math.max(total.depth, part.depth);
  total.aliases += part.aliases;
  total.fields += part.fields;
  total.cost += part.cost;
  total.introspectionListNesting = Math.max(total.introspectionListNesting, part.introspectionListNesting);
}
