/**
 * The subset of OpenAPI 3.0 schema validation the fixture needs: types, nullable,
 * enum, required, properties, additionalProperties, items, anyOf/oneOf/allOf and
 * bounds. Returns every violation with its path, so a failing test names the field.
 */
export type Schema = {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  if (value === null) {
    return schema.nullable || schema.type === undefined && !schema.properties ? [] : [`${path}: must not be null`];
  }
  const errors: string[] = [];
  const actual = typeOf(value);
  if (schema.type) {
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) {
      return [`${path}: expected ${schema.type}, got ${actual}`];
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) {
      value.forEach((item, i) => errors.push(...validate(schema.items!, item, `${path}[${i}]`)));
    }
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in obj)) errors.push(`${path}.${key}: required`);
    }
    for (const [key, item] of Object.entries(obj)) {
      const prop = schema.properties?.[key];
      if (prop) {
        errors.push(...validate(prop, item, `${path}.${key}`));
      } else if (schema.additionalProperties === false) {
        errors.push(`${path}.${key}: not allowed`);
      } else if (typeof schema.additionalProperties === 'object') {
        errors.push(...validate(schema.additionalProperties, item, `${path}.${key}`));
      }
    }
  }
  for (const sub of schema.allOf ?? []) {
    errors.push(...validate(sub, value, path));
  }
  if (schema.anyOf && !schema.anyOf.some(s => validate(s, value, path).length === 0)) {
    errors.push(`${path}: matches none of anyOf (${schema.anyOf.map(s => validate(s, value, path)[0]).join(' | ')})`);
  }
  if (schema.oneOf) {
    const matches = schema.oneOf.filter(s => validate(s, value, path).length === 0).length;
    if (matches !== 1) errors.push(`${path}: matches ${matches} of oneOf, expected exactly 1`);
  }
  return errors;
}
