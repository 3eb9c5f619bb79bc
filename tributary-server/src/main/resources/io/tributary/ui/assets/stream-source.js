// Follows a Durable Streams path over SSE: the whole scrollback from offset -1, then the live tail.
// Each data event is handed over only with the control event after it (which carries the offset to
// resume from), so a connection that drops between the two re-reads that batch instead of losing
// or doubling it. A response that ends (the server's SSE lifetime, a restart, a network blip) is
// reopened from the last offset, with a fresh read token when auth is on.

import { api, sseUrl, ApiError } from './api.js';

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

export class StreamSource {
  /**
   * dsPath: /v1/stream/…; scope: what a read token is minted for; handlers: onData(text),
   * onUpToDate(), onClosed(), onGap(earliestOffset), onStatus(text), onFatal(message).
   */
  constructor(dsPath, scope, handlers) {
    this.dsPath = dsPath;
    this.scope = scope;
    this.handlers = handlers;
    this.offset = '-1';
    this.retryMs = RETRY_FIRST_MS;
    this.stopped = false;
    this.source = null;
  }

  start() {
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.source) this.source.close();
  }

  async connect() {
    if (this.stopped) return;
    let url;
    try {
      url = await sseUrl(this.dsPath, this.offset, this.scope);
    } catch (e) {
      this.retry(`cannot mint a read token: ${e.message}`);
      return;
    }
    const source = new EventSource(url);
    this.source = source;
    let pending = null;
    let heard = false;
    source.addEventListener('open', () => this.handlers.onStatus('live'));
    source.addEventListener('data', (event) => {
      pending = pending === null ? event.data : pending + event.data;
    });
    source.addEventListener('control', (event) => {
      heard = true;
      this.retryMs = RETRY_FIRST_MS;
      const control = JSON.parse(event.data);
      if (pending !== null) {
        const text = pending;
        pending = null;
        this.handlers.onData(text);
      }
      if (control.streamNextOffset) this.offset = control.streamNextOffset;
      if (control.upToDate) this.handlers.onUpToDate();
      if (control.streamClosed) {
        this.stopped = true;
        source.close();
        this.handlers.onStatus('closed');
        this.handlers.onClosed();
      }
    });
    source.addEventListener('error', () => {
      source.close();
      if (this.stopped) return;
      if (heard) {
        // the response ended after serving us (its lifetime, a restart): resume at once
        this.retryMs = RETRY_FIRST_MS;
        this.handlers.onStatus('reconnecting');
        setTimeout(() => this.connect(), 50);
      } else {
        this.diagnose();
      }
    });
  }

  /** The connection failed before any event: ask with a plain read what is wrong (EventSource cannot tell). */
  async diagnose() {
    try {
      await api(`${this.dsPath}?offset=${encodeURIComponent(this.offset)}`);
      this.retry('connection lost');
    } catch (e) {
      if (e instanceof ApiError && e.status === 410) {
        const earliest = e.body && e.body.error && e.body.error.earliestOffset;
        this.handlers.onGap(earliest);
        this.offset = earliest || '-1';
        this.retry('frames were dropped by retention; resuming at the earliest kept');
      } else if (e instanceof ApiError && e.status === 404) {
        this.stopped = true;
        this.handlers.onFatal(e.message);
      } else {
        this.retry(e.message);
      }
    }
  }

  retry(why) {
    if (this.stopped) return;
    this.handlers.onStatus(`reconnecting (${why})`);
    setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }
}
