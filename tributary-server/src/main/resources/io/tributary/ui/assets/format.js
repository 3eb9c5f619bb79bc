// Small formatting steps shared by the pages.

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function age(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return '—';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function clock(ms) {
  const d = new Date(ms);
  const pad = (v, w = 2) => String(v).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function iso(ms) {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}

export function count(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

/** The console's page for an attempt. */
export function attemptHref(executionId, attemptIndex) {
  return `/ui/executions/${encodeURIComponent(executionId)}/attempts/${attemptIndex}`;
}

/** The console's page for a named stream, from its full path /v1/stream/… */
export function streamHref(path) {
  return `/ui/streams/${path.replace(/^\/v1\/stream\//, '').split('/').map(encodeURIComponent).join('/')}`;
}
