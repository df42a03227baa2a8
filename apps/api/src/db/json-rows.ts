import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * A row that Postgres returned as `to_jsonb(row)` (snake_case keys, timestamps as ISO text) turned into the same
 * shape Drizzle's own queries return, using each column's own driver mapping.
 */
export function rowFromJson<T extends Table>(table: T, json: Record<string, unknown>): InferSelectModel<T> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    if (value === null || value === undefined) row[key] = null;
    // Arrays and jsonb arrive already decoded from the JSON; timestamps, uuids and scalars go through the column.
    else if (Array.isArray(value) || (typeof value === 'object' && column.dataType === 'json'))
      row[key] = value;
    else row[key] = column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}
