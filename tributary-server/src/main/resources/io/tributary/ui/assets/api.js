// Talking to the server: JSON requests with the admin token (when the server wants one), the
// token prompt, and short-lived read tokens for EventSource (which cannot send headers).

const TOKEN_KEY = 'tributary.token';
/** Lifetime of the read token minted for one EventSource connection (it is checked only when the connection opens). */
export const READ_TOKEN_TTL_MS = 5 * 60 * 1000;
/** Read tokens look like tbr1.<payload>.<mac>; the admin token is whatever the operator chose. */
const READ_TOKEN_PREFIX = 'tbr1.';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const credentials = {
  token() { return sessionStorage.getItem(TOKEN_KEY); },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    showForget();
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    showForget();
  },
};

function showForget() {
  const button = document.getElementById('forget-token');
  if (button) button.hidden = !credentials.token();
}

let prompt = null;

/** Shows the token form; resolves once a token was entered (one form for all waiting requests). */
export function askForToken(reason) {
  if (prompt) return prompt;
  const overlay = document.getElementById('token-overlay');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  document.getElementById('token-reason').textContent = reason;
  overlay.hidden = false;
  input.value = '';
  input.focus();
  prompt = new Promise((resolve) => {
    form.onsubmit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      credentials.set(token);
      overlay.hidden = true;
      prompt = null;
      resolve(token);
    };
  });
  return prompt;
}

/** The message of an error body: the REST envelope {"error": "..."} or Durable Streams' {"error": {"message"}}. */
function messageOf(json, text, status) {
  if (json && typeof json.error === 'string') return json.error;
  if (json && json.error && typeof json.error.message === 'string') return json.error.message;
  return text ? text.slice(0, 200) : `HTTP ${status}`;
}

/**
 * One request to the server. A 401 asks for a token and retries with it; any other non-2xx status
 * is thrown as an ApiError. Resolves to {status, json, headers}.
 */
export async function api(path, { method = 'GET', body } = {}) {
  for (;;) {
    const headers = { Accept: 'application/json' };
    const token = credentials.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      if (token) credentials.clear();
      await askForToken(token ? 'The server refused that token; paste another.' : 'This server runs with auth on.');
      continue;
    }
    const text = method === 'HEAD' ? '' : await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!response.ok) throw new ApiError(response.status, messageOf(json, text, response.status), json);
    return { status: response.status, json, headers: response.headers };
  }
}

/**
 * The SSE URL of a Durable Streams path from an offset. With a token in hand, a read token for just
 * this stream is minted and put in the query (access_token), so the admin token never lands in a URL.
 * scope: {execution_id, attempt_index} or {path}.
 */
export async function sseUrl(dsPath, offset, scope) {
  let url = `${dsPath}?offset=${encodeURIComponent(offset)}&live=sse`;
  const token = credentials.token();
  if (token) {
    let read = token;
    try {
      const { json } = await api('/v1/tokens', { method: 'POST', body: { ...scope, ttl_ms: READ_TOKEN_TTL_MS } });
      read = json.token;
    } catch (e) {
      // the pasted token is itself a read token (it may not mint): it goes in the URL as it is
      if (!(e instanceof ApiError && e.status === 403 && token.startsWith(READ_TOKEN_PREFIX))) throw e;
    }
    url += `&access_token=${encodeURIComponent(read)}`;
  }
  return url;
}

export function initCredentials() {
  showForget();
  const button = document.getElementById('forget-token');
  button.addEventListener('click', () => {
    credentials.clear();
    location.reload();
  });
}
