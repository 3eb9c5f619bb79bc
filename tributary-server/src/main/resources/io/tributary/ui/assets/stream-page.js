// The view of one stream: an attempt stream (/ui/executions/{id}/attempts/{idx}) or a named
// stream (/ui/streams/<name>). Scrollback then live tail in a windowed list, filters, follow/pause,
// a link per frame, the summary document (attempts) and the close marker.

import { api, ApiError } from './api.js';
import { el, clock, iso, count, attemptHref, bytes } from './format.js';
import { FrameList } from './frame-list.js';
import { StreamSource } from './stream-source.js';
import { applyMergePatch } from './merge-patch.js';
import { measurement } from './measurement.js';

const SEARCH_DEBOUNCE_MS = 120;
const SUMMARY_RECONCILE_MS = 300;
const ANCHOR_PREFIX = '#f-';

/** What the view shows: an attempt or a named stream, with the routes it reads. */
export function attemptTarget(executionId, attemptIndex) {
  const rest = `/v1/executions/${encodeURIComponent(executionId)}/attempts/${attemptIndex}`;
  return {
    kind: 'attempt',
    title: `${executionId} · attempt ${attemptIndex}`,
    executionId, attemptIndex,
    dsPath: `/v1/stream/executions/${encodeURIComponent(executionId)}/attempts/${attemptIndex}`,
    restPath: rest,
    scope: { execution_id: executionId, attempt_index: attemptIndex },
  };
}

export function namedTarget(encodedName) {
  const name = encodedName.split('/').map(decodeURIComponent).join('/');
  const path = `/v1/stream/${name}`;
  return {
    kind: 'named', title: path, name,
    dsPath: `/v1/stream/${encodedName}`,
    scope: { path },
  };
}

export async function showStream(app, target) {
  const view = new StreamView(app, target);
  await view.open();
  return view;
}

class StreamView {
  constructor(app, target) {
    this.target = target;
    this.frames = [];
    this.visible = [];
    this.types = new Set();
    this.filter = { type: '', mode: '', text: '' };
    this.summary = { version: null, document: null };
    this.closed = false;
    this.closeReason = null;
    this.lastId = null;
    this.seq = 0;
    this.bestEffort = 0;
    this.upToDate = false;
    this.selected = null;
    this.anchor = location.hash.startsWith(ANCHOR_PREFIX) ? decodeURIComponent(location.hash.slice(ANCHOR_PREFIX.length)) : null;
    this.build(app);
    this.stats = measurement(this);
    window.tributaryConsole = { view: 'stream', stats: this.stats };
  }

  build(app) {
    app.replaceChildren();
    const page = el('div', 'stream-page');
    const head = el('div', 'stream-head');
    head.append(el('h1', 'stream-title', this.target.title));
    this.stateBadge = el('span', 'badge state-open', 'open');
    this.stateBadge.id = 'stream-state';
    head.append(this.stateBadge);
    this.connection = el('span', 'muted connection', 'connecting');
    this.connection.id = 'connection';
    head.append(this.connection);
    this.attemptLinks = el('span', 'attempt-links');
    head.append(this.attemptLinks);

    const tools = el('div', 'toolbar');
    this.typeSelect = el('select');
    this.typeSelect.id = 'filter-type';
    this.typeSelect.append(new Option('all frame types', ''));
    this.modeSelect = el('select');
    this.modeSelect.id = 'filter-mode';
    for (const [label, value] of [['all modes', ''], ['durable', 'durable'], ['summary', 'summary'], ['best effort', 'best_effort']]) {
      this.modeSelect.append(new Option(label, value));
    }
    this.modeSelect.hidden = this.target.kind !== 'attempt';
    this.search = el('input');
    this.search.id = 'filter-text';
    this.search.type = 'search';
    this.search.placeholder = 'search text';
    this.followButton = el('button', 'follow on', 'Following');
    this.followButton.id = 'follow';
    this.followButton.type = 'button';
    this.counter = el('span', 'muted counter', '');
    this.counter.id = 'frame-counter';
    tools.append(this.typeSelect, this.modeSelect, this.search, this.followButton, this.counter);

    const body = el('div', 'stream-body');
    this.scroller = el('div', 'frame-scroller');
    this.scroller.id = 'frames';
    this.scroller.tabIndex = 0;
    const side = el('aside', 'side');
    if (this.target.kind === 'attempt') {
      const summary = el('section', 'panel');
      const h = el('h2', null, 'Summary ');
      this.summaryVersion = el('span', 'badge', 'none yet');
      this.summaryVersion.id = 'summary-version';
      h.append(this.summaryVersion);
      this.summaryDocument = el('pre', 'summary-document', '');
      this.summaryDocument.id = 'summary-document';
      summary.append(h, this.summaryDocument);
      side.append(summary);
    }
    const info = el('section', 'panel');
    info.append(el('h2', null, 'Stream'));
    this.info = el('dl', 'info');
    this.info.id = 'stream-info';
    info.append(this.info);
    const detail = el('section', 'panel');
    detail.append(el('h2', null, 'Frame'));
    this.detail = el('pre', 'frame-detail muted', 'click a frame to see all of it');
    this.detail.id = 'frame-detail';
    detail.append(this.detail);
    side.append(info, detail);
    body.append(this.scroller, side);
    page.append(head, tools, body);
    app.append(page);

    this.list = new FrameList(this.scroller, {
      renderRow: (row, item) => this.renderRow(row, item),
      onFollowChange: (following) => this.showFollowing(following),
    });
    this.list.setItems(this.visible);
    this.typeSelect.addEventListener('change', () => { this.filter.type = this.typeSelect.value; this.refilter(); });
    this.modeSelect.addEventListener('change', () => { this.filter.mode = this.modeSelect.value; this.refilter(); });
    let timer = null;
    this.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { this.filter.text = this.search.value.trim().toLowerCase(); this.refilter(); }, SEARCH_DEBOUNCE_MS);
    });
    this.followButton.addEventListener('click', () => this.list.setFollowing(!this.list.following));
    this.scroller.addEventListener('click', (event) => {
      const row = event.target.closest('.frame-row');
      if (row && row.item) this.select(row.item);
    });
    window.addEventListener('hashchange', () => {
      if (location.hash.startsWith(ANCHOR_PREFIX)) this.goTo(decodeURIComponent(location.hash.slice(ANCHOR_PREFIX.length)));
    });
    this.renderInfo();
  }

  async open() {
    try {
      const head = await api(this.target.dsPath, { method: 'HEAD' });
      this.contentType = (head.headers.get('Content-Type') || '').split(';')[0].trim();
    } catch (e) {
      this.fail(e instanceof ApiError && e.status === 404 ? `No such stream: ${this.target.title}` : `Cannot open the stream: ${e.message}`);
      return;
    }
    if (this.target.kind === 'attempt') {
      await this.fetchSummary();
      this.fetchAttempts();
    }
    this.source = new StreamSource(this.target.dsPath, this.target.scope, {
      onData: (text) => this.receive(text),
      onUpToDate: () => this.caughtUp(),
      onClosed: () => this.ended(),
      onGap: (earliest) => this.push({ marker: 'gap', text: `frames before ${earliest} were dropped by retention` }),
      onStatus: (status) => { this.connection.textContent = status; },
      onFatal: (message) => this.fail(message),
    });
    this.source.start();
  }

  fail(message) {
    this.connection.textContent = 'stopped';
    const note = el('p', 'error', message);
    note.id = 'stream-error';
    this.scroller.replaceWith(note);
  }

  // ---- data in

  receive(text) {
    const started = performance.now();
    if (this.target.kind === 'named' && this.contentType !== 'application/json') this.receiveText(text);
    else {
      for (const message of JSON.parse(text)) this.receiveMessage(message);
    }
    this.list.changed();
    this.renderCounter();
    this.renderInfo();
    this.stats.batch(performance.now() - started);
  }

  receiveMessage(m) {
    if (this.target.kind === 'named') {
      this.push({ id: String(++this.seq), ts: Date.now(), type: typeof m === 'object' && m && typeof m.type === 'string' ? m.type : 'json', mode: '', text: JSON.stringify(m) });
      return;
    }
    if (this.lastId !== null && compareIds(m.id, this.lastId) <= 0) return;
    this.lastId = m.id;
    const payload = m.mode === 'summary' ? JSON.stringify(m.payload) : m.payload;
    const item = { id: m.id, ts: m.ts, type: m.frame_type, mode: m.mode, text: payload, encoding: m.encoding, correlationId: m.correlation_id, summaryVersion: m.summary_version, ttlMs: m.ttl_ms };
    if (m.mode === 'best_effort') this.bestEffort++;
    this.push(item);
    if (m.mode === 'summary' && m.summary_version) this.summaryFrame(m.summary_version, m.payload);
  }

  /** A text stream: one row per line; a line the batch left open grows with the next batch. */
  receiveText(text) {
    const base64 = !this.contentType.startsWith('text/');
    if (base64) {
      const size = atob(text.replace(/\s/g, '')).length;
      this.push({ id: String(++this.seq), ts: Date.now(), type: 'bytes', mode: '', text: `${bytes(size)} of ${this.contentType || 'binary'} data (base64 ${text.slice(0, 60)}…)` });
      return;
    }
    const lines = text.split('\n');
    const open = this.frames.length ? this.frames[this.frames.length - 1] : null;
    if (open && open.open) {
      open.text += lines.shift();
      open.hay = null;
      open.dirty = true;
      open.open = false;
      if (lines.length === 0) { open.open = true; return; }
    }
    const last = lines.pop();
    for (const line of lines) this.push({ id: String(++this.seq), ts: Date.now(), type: 'line', mode: '', text: line });
    if (last !== '') this.push({ id: String(++this.seq), ts: Date.now(), type: 'line', mode: '', text: last, open: true });
  }

  push(item) {
    item.index = this.frames.length;
    this.frames.push(item);
    if (item.type && !this.types.has(item.type)) {
      this.types.add(item.type);
      this.typeSelect.append(new Option(item.type, item.type));
    }
    if (this.matches(item)) this.visible.push(item);
    if (this.anchor !== null && item.id === this.anchor) {
      this.anchor = null;
      requestAnimationFrame(() => this.goTo(item.id));
    }
  }

  caughtUp() {
    if (!this.upToDate) {
      this.upToDate = true;
      this.stats.caughtUp();
    }
    this.renderInfo();
  }

  async ended() {
    this.closed = true;
    this.stateBadge.textContent = 'closed';
    this.stateBadge.className = 'badge state-closed';
    if (this.target.kind === 'attempt') {
      try {
        const after = this.lastId || '0-0';
        const { json } = await api(`${this.target.restPath}/stream/tail?after=${encodeURIComponent(after)}&limit=1`);
        this.closeReason = json.closed_reason || null;
      } catch (e) {
        this.closeReason = null;
      }
      this.fetchAttempts();
    }
    this.stateBadge.textContent = this.closeReason ? `closed: ${this.closeReason}` : 'closed';
    const marker = { marker: 'close', id: 'close', text: this.closeReason ? `stream closed: ${this.closeReason}` : 'stream closed' };
    this.push(marker);
    this.list.changed();
    this.renderCounter();
    this.renderInfo();
  }

  // ---- summary

  async fetchSummary() {
    try {
      const { json } = await api(`${this.target.restPath}/summary`);
      if (this.summary.version === null || json.version >= this.summary.version) {
        this.summary = { version: json.version, document: json.document };
        this.renderSummary();
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) this.summaryDocument.textContent = `cannot read the summary: ${e.message}`;
    }
  }

  /** A summary frame arrived: apply its patch when it is the next version, and re-read the server's document soon after. */
  summaryFrame(version, patch) {
    const current = this.summary.version ?? 0;
    if (version <= current) return;
    if (version === current + 1) {
      this.summary = { version, document: applyMergePatch(this.summary.document, patch) };
      this.renderSummary();
    }
    clearTimeout(this.reconcile);
    this.reconcile = setTimeout(() => this.fetchSummary(), SUMMARY_RECONCILE_MS);
  }

  renderSummary() {
    this.summaryVersion.textContent = `v${this.summary.version}`;
    this.summaryVersion.dataset.version = String(this.summary.version);
    this.summaryDocument.textContent = JSON.stringify(this.summary.document, null, 2);
  }

  /** The execution's attempts (discovery API), for links to the others; quietly absent when the route is. */
  async fetchAttempts() {
    try {
      const { json } = await api(`/v1/executions/${encodeURIComponent(this.target.executionId)}`);
      this.attemptLinks.replaceChildren();
      for (const a of json.attempts || []) {
        const link = el('a', a.attempt_index === this.target.attemptIndex ? 'attempt current' : 'attempt', `attempt ${a.attempt_index}`);
        link.href = attemptHref(this.target.executionId, a.attempt_index);
        link.title = a.state === 'closed' ? `closed: ${a.close_reason}` : 'open';
        this.attemptLinks.append(link);
      }
    } catch {
      // an older server without the discovery API: the view works without the links
    }
  }

  // ---- filters, rows, navigation

  matches(item) {
    if (item.marker) return true;
    const f = this.filter;
    if (f.type && item.type !== f.type) return false;
    if (f.mode && item.mode !== f.mode) return false;
    if (f.text) {
      if (!item.hay) item.hay = `${item.id} ${item.type} ${item.text}`.toLowerCase();
      if (!item.hay.includes(f.text)) return false;
    }
    return true;
  }

  refilter() {
    this.visible = this.frames.filter((item) => this.matches(item));
    this.list.setItems(this.visible);
    this.renderCounter();
  }

  renderRow(row, item) {
    row.className = `frame-row${item.marker ? ` marker marker-${item.marker}` : ` mode-${item.mode || 'plain'}`}${item === this.selected ? ' selected' : ''}`;
    row.dataset.id = item.id || '';
    row.dataset.index = String(item.index);
    if (item.marker) {
      row.replaceChildren(el('span', 'marker-text', item.text));
      return;
    }
    const link = el('a', 'frame-link', item.id);
    link.href = ANCHOR_PREFIX + encodeURIComponent(item.id);
    const time = el('span', 'frame-time', clock(item.ts));
    time.title = iso(item.ts);
    const type = el('span', 'frame-type', item.type || '');
    const mode = el('span', 'frame-mode', item.mode === 'best_effort' ? 'live' : item.mode === 'summary' ? `sum v${item.summaryVersion}` : '');
    const text = el('span', 'frame-text', item.encoding === 'base64' ? `(base64) ${item.text}` : item.text);
    row.replaceChildren(link, time, type, mode, text);
  }

  goTo(id) {
    const index = this.visible.findIndex((item) => item.id === id);
    if (index < 0) return;
    this.list.scrollToIndex(index);
    this.select(this.visible[index]);
  }

  select(item) {
    this.selected = item;
    const lines = item.marker ? [item.text] : [
      `id      ${item.id}`, `time    ${iso(item.ts)}`, `type    ${item.type}`,
      ...(item.mode ? [`mode    ${item.mode}`] : []),
      ...(item.correlationId ? [`corr    ${item.correlationId}`] : []),
      ...(item.summaryVersion ? [`summary v${item.summaryVersion}`] : []),
      ...(item.ttlMs ? [`ttl     ${item.ttlMs} ms`] : []),
      '', prettyPayload(item),
    ];
    this.detail.className = 'frame-detail';
    this.detail.textContent = lines.join('\n');
    for (const row of this.list.pool) if (row.item) row.classList.toggle('selected', row.item === item);
  }

  showFollowing(following) {
    this.followButton.textContent = following ? 'Following' : 'Paused';
    this.followButton.className = following ? 'follow on' : 'follow off';
  }

  renderCounter() {
    const frames = this.frames.length;
    this.counter.textContent = this.visible.length === frames
      ? `${count(frames)} rows` : `${count(this.visible.length)} of ${count(frames)} rows`;
  }

  renderInfo() {
    const rows = [['state', this.closed ? (this.closeReason ? `closed (${this.closeReason})` : 'closed') : 'open'],
      ['rows', count(this.frames.length)]];
    if (this.target.kind === 'attempt') rows.push(['best-effort seen', count(this.bestEffort)], ['last id', this.lastId || '—']);
    else rows.push(['content type', this.contentType || '—']);
    rows.push(['caught up', this.upToDate ? 'yes' : 'not yet']);
    this.info.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', null, k), el('dd', null, v)]));
  }
}

function prettyPayload(item) {
  if (item.mode === 'summary' || item.type === 'json') {
    try { return JSON.stringify(JSON.parse(item.text), null, 2); } catch { return item.text; }
  }
  return item.text;
}

/** Orders frame ids "<ms>-<seq>" numerically. */
function compareIds(a, b) {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
