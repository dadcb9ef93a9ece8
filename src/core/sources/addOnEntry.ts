import { mapStrings } from '../base/mapStrings';
import { RawField, RawServerEntry } from './types';

/**
 * An entry of a client's add-on as the client launches it: every string of its fields (at any depth)
 * with the add-on's variables replaced, as the client does before it reads the entry, and `disabled`
 * set when the add-on's state decides it.
 */
export function asAddOnEntry(
  entry: RawServerEntry,
  hydrate: (s: string) => string,
  disabled: RawField | undefined,
): RawServerEntry {
  const fields: RawServerEntry['fields'] = {};
  for (const [key, field] of Object.entries(entry.fields))
    fields[key] = { ...field, value: mapStrings(field.value, hydrate) };
  if (disabled) fields.disabled = disabled;
  return { ...entry, fields };
}
