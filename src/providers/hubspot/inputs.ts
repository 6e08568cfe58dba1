/** Turns crm_sync records into HubSpot batch-upsert inputs (every property value a string). */
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

export function toUpsertInput(fields: CrmSyncRequest['records'][number]['fields'], idProperty: string): UpsertInput {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) properties[key] = propertyValue(value);
  return { idProperty, id: properties[idProperty] ?? '', properties };
}
