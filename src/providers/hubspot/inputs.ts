/** Turns crm_sync records into HubSpot batch-upsert or batch-create inputs (every property value a string). */
import type { CrmSyncRequest } from '../../capabilities/crm-sync.js';

type FieldValue = CrmSyncRequest['records'][number]['fields'][string];

export interface UpsertInput {
  idProperty: string;
  id: string;
  properties: Record<string, string>;
}

/** Strings as is, numbers and booleans stringified, null clears (''), lists joined with ';' (multi-checkbox). */
function propertyValue(value: FieldValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}

/** A batch/create input; `objectWriteTraceId` (the record's index) ties each result back to its record. */
export interface CreateInput {
  objectWriteTraceId: string;
  properties: Record<string, string>;
}

function toProperties(fields: CrmSyncRequest['records'][number]['fields']): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) properties[key] = propertyValue(value);
  return properties;
}

export function toUpsertInput(fields: CrmSyncRequest['records'][number]['fields'], idProperty: string): UpsertInput {
  const properties = toProperties(fields);
  return { idProperty, id: properties[idProperty] ?? '', properties };
}

export function toCreateInput(fields: CrmSyncRequest['records'][number]['fields'], index: number): CreateInput {
  return { objectWriteTraceId: String(index), properties: toProperties(fields) };
}
