/**
 * The changes between two versions of a schema, sorted by what they do to clients: graphql-js's own
 * `findBreakingChanges` (an existing operation stops validating or changes meaning) and
 * `findDangerousChanges` (it still validates but may behave differently, e.g. a new enum value a client
 * switch does not handle), plus the safe additions graphql-js does not list (new types, new output
 * fields, changed descriptions) so a reviewer sees the whole change.
 */
import {
  findBreakingChanges,
  findDangerousChanges,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isIntrospectionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/** How a change affects existing clients. */
export type ChangeSeverity = 'breaking' | 'dangerous' | 'safe';

/** One change. */
export interface SchemaChange {
  severity: ChangeSeverity;
  /** graphql-js's change type (`FIELD_REMOVED`…) or ours (`TYPE_ADDED`, `FIELD_ADDED`, `DESCRIPTION_CHANGED`). */
  type: string;
  /** graphql-js's sentence, e.g. `Customer.email was removed.` — what acknowledgements match. */
  description: string;
}

function userTypes(schema: GraphQLSchema): Map<string, GraphQLNamedType> {
  return new Map(Object.entries(schema.getTypeMap()).filter(([name, type]) => !name.startsWith('__') && !isIntrospectionType(type)));
}

/** Safe changes: additions and documentation. */
function findSafeChanges(before: GraphQLSchema, after: GraphQLSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const oldTypes = userTypes(before);
  for (const [name, type] of userTypes(after)) {
    const old = oldTypes.get(name);
    if (!old) {
      changes.push({ severity: 'safe', type: 'TYPE_ADDED', description: `${name} was added.` });
      continue;
    }
    if ((old.description ?? '') !== (type.description ?? '')) changes.push({ severity: 'safe', type: 'DESCRIPTION_CHANGED', description: `The description of ${name} changed.` });
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(old) || isInterfaceType(old))) {
      const oldFields = old.getFields();
      for (const [fieldName, field] of Object.entries(type.getFields())) {
        const oldField = oldFields[fieldName];
        if (!oldField) changes.push({ severity: 'safe', type: 'FIELD_ADDED', description: `${name}.${fieldName} was added.` });
        else if ((oldField.description ?? '') !== (field.description ?? '')) changes.push({ severity: 'safe', type: 'DESCRIPTION_CHANGED', description: `The description of ${name}.${fieldName} changed.` });
      }
    }
    if (isInputObjectType(type) && isInputObjectType(old)) {
      const oldFields = old.getFields();
      for (const [fieldName, field] of Object.entries(type.getFields())) {
        const oldField = oldFields[fieldName];
        if (oldField && (oldField.description ?? '') !== (field.description ?? '')) changes.push({ severity: 'safe', type: 'DESCRIPTION_CHANGED', description: `The description of ${name}.${fieldName} changed.` });
      }
    }
    if (isEnumType(type) && isEnumType(old)) {
      for (const value of type.getValues()) {
        const oldValue = old.getValue(value.name);
        if (oldValue && (oldValue.description ?? '') !== (value.description ?? '')) changes.push({ severity: 'safe', type: 'DESCRIPTION_CHANGED', description: `The description of ${name}.${value.name} changed.` });
      }
    }
  }
  return changes;
}

/** Every change from `before` to `after`, breaking first. */
export function diffSchemas(before: GraphQLSchema, after: GraphQLSchema): SchemaChange[] {
  return [
    ...findBreakingChanges(before, after).map((change): SchemaChange => ({ severity: 'breaking', type: change.type, description: change.description })),
    ...findDangerousChanges(before, after).map((change): SchemaChange => ({ severity: 'dangerous', type: change.type, description: change.description })),
    ...findSafeChanges(before, after),
  ];
}
