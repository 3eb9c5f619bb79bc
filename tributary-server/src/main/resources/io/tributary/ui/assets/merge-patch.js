// The summary document's merge rule, as the server applies it (RFC 7396 with the reference's
// rules): null deletes, a non-empty object merges recursively, anything else replaces; then every
// string leaf "__ff_null__" becomes a literal null.

const NULL_SENTINEL = '__ff_null__';

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function merge(target, patch) {
  const result = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isObject(value) && Object.keys(value).length > 0) result[key] = merge(result[key], value);
    else result[key] = value;
  }
  return result;
}

function nullSentinels(v) {
  if (v === NULL_SENTINEL) return null;
  if (Array.isArray(v)) return v.map(nullSentinels);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, nullSentinels(x)]));
  return v;
}

/** The document after one patch; a patch that is not an object replaces the document's fields with nothing (the server ignores it). */
export function applyMergePatch(document, patch) {
  if (!isObject(patch)) return document;
  return nullSentinels(merge(document, patch));
}
