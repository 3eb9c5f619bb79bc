// The start page: executions newest first, refreshed every second (new ones appear on their own),
// the named streams, and a box to open an attempt by id. Reads the discovery API
// (GET /v1/executions, GET /v1/streams).

import { api, ApiError } from './api.js';
import { el, age, iso, count, bytes, attemptHref, streamHref } from './format.js';

const POLL_MS = 1000;
const STREAMS_EVERY_N_POLLS = 3;
const PAGE_SIZE = 50;
const HIDDEN_POLL_MS = 5000;
const CLOSE_REASONS = ['attempt_success', 'attempt_failure', 'attempt_cancelled', 'expired',
  'suspension_timeout', 'dependency_impossible', 'lease_expired', 'reclaimed'];

export function showExecutions(app) {
  const page = new ExecutionsPage(app);
  page.poll();
  return page;
}

class ExecutionsPage {
  constructor(app) {
    this.rows = new Map();
    this.older = [];
    this.olderNext = undefined;
    this.polls = 0;
    this.stats = { polls: 0, executions: 0, streams: 0, lastError: null };
    window.tributaryConsole = { view: 'executions', stats: this.stats };
    app.replaceChildren();

    const open = el('form', 'open-form');
    open.id = 'open-form';
    this.openId = el('input');
    this.openId.id = 'open-id';
    this.openId.placeholder = '{fp:N}:uuid — open an execution by id';
    this.openIndex = el('input');
    this.openIndex.id = 'open-index';
    this.openIndex.type = 'number';
    this.openIndex.min = '0';
    this.openIndex.value = '0';
    this.openIndex.title = 'attempt index';
    open.append(this.openId, this.openIndex, el('button', null, 'Open'));
    open.addEventListener('submit', (event) => {
      event.preventDefault();
      const id = this.openId.value.trim();
      if (id) location.href = attemptHref(id, Number(this.openIndex.value || 0));
    });

    const exec = el('section', 'listing');
    const bar = el('div', 'toolbar');
    bar.append(el('h1', null, 'Executions'));
    this.state = el('select');
    this.state.id = 'filter-state';
    for (const [label, value] of [['all', 'all'], ['open', 'open'], ['closed', 'closed']]) this.state.append(new Option(label, value));
    this.reason = el('select');
    this.reason.id = 'filter-reason';
    this.reason.append(new Option('any close reason', ''));
    for (const r of CLOSE_REASONS) this.reason.append(new Option(r, r));
    this.status = el('span', 'muted', '');
    this.status.id = 'list-status';
    bar.append(this.state, this.reason, this.status);
    for (const select of [this.state, this.reason]) select.addEventListener('change', () => this.restart());

    const table = el('table', 'grid');
    table.id = 'executions';
    const head = el('tr');
    for (const h of ['Execution', 'State', 'Attempt', 'Frames', 'Bytes', 'Summary', 'Close reason', 'Created', 'Last append']) head.append(el('th', null, h));
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    this.tbody = table.tBodies[0];
    this.empty = el('p', 'muted', '');
    this.empty.id = 'executions-empty';
    this.more = el('button', null, 'Load older');
    this.more.id = 'load-older';
    this.more.type = 'button';
    this.more.hidden = true;
    this.more.addEventListener('click', () => this.loadOlder());
    exec.append(bar, table, this.empty, this.more);

    const streams = el('section', 'listing');
    const sbar = el('div', 'toolbar');
    sbar.append(el('h1', null, 'Named streams'));
    this.prefix = el('input');
    this.prefix.id = 'filter-prefix';
    this.prefix.placeholder = 'path prefix, e.g. /v1/stream/chat';
    this.prefix.addEventListener('change', () => this.refreshStreams());
    sbar.append(this.prefix);
    const stable = el('table', 'grid');
    stable.id = 'streams';
    const shead = el('tr');
    for (const h of ['Path', 'Content type', 'State', 'Frames', 'Bytes', 'Created']) shead.append(el('th', null, h));
    stable.append(el('thead'), el('tbody'));
    stable.tHead.append(shead);
    this.sbody = stable.tBodies[0];
    this.streamsNote = el('p', 'muted', '');
    this.streamsNote.id = 'streams-empty';
    streams.append(sbar, stable, this.streamsNote);

    app.append(open, exec, streams);
  }

  query(after) {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (this.reason.value) q.set('close_reason', this.reason.value);
    else if (this.state.value !== 'all') q.set('state', this.state.value);
    if (after) q.set('after', after);
    return `/v1/executions?${q}`;
  }

  restart() {
    this.older = [];
    this.olderNext = undefined;
    for (const tr of this.rows.values()) tr.remove();
    this.rows.clear();
    this.refresh();
  }

  async poll() {
    await this.refresh();
    if (this.polls++ % STREAMS_EVERY_N_POLLS === 0) await this.refreshStreams();
    setTimeout(() => this.poll(), document.hidden ? HIDDEN_POLL_MS : POLL_MS);
  }

  async refresh() {
    try {
      const { json } = await api(this.query());
      if (this.olderNext === undefined) this.olderNext = json.next;
      this.render(json.executions);
      this.stats.polls++;
      this.stats.lastError = null;
      this.status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      this.stats.lastError = e.message;
      this.status.textContent = e instanceof ApiError && e.status === 404
        ? 'this server has no discovery API (GET /v1/executions answered 404); open an attempt by id above'
        : `cannot list executions: ${e.message}`;
    }
  }

  async loadOlder() {
    if (!this.olderNext) return;
    const { json } = await api(this.query(this.olderNext));
    this.older.push(...json.executions);
    this.olderNext = json.next;
    this.refresh();
  }

  render(live) {
    const seen = new Set();
    const all = [];
    for (const e of [...live, ...this.older]) {
      if (!seen.has(e.execution_id)) {
        seen.add(e.execution_id);
        all.push(e);
      }
    }
    const now = Date.now();
    for (const [id, tr] of this.rows) {
      if (!seen.has(id)) {
        tr.remove();
        this.rows.delete(id);
      }
    }
    all.forEach((e, i) => {
      let tr = this.rows.get(e.execution_id);
      if (!tr) {
        tr = newRow(e.execution_id, 9);
        if (this.stats.polls > 0) tr.classList.add('fresh');
        this.rows.set(e.execution_id, tr);
      }
      fillRow(tr, e, now);
      if (this.tbody.children[i] !== tr) this.tbody.insertBefore(tr, this.tbody.children[i] || null);
    });
    this.stats.executions = all.length;
    this.empty.textContent = all.length ? '' : 'No executions yet.';
    this.more.hidden = !this.olderNext;
  }

  async refreshStreams() {
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (this.prefix.value.trim()) q.set('prefix', this.prefix.value.trim());
      const { json } = await api(`/v1/streams?${q}`);
      this.sbody.replaceChildren(...json.streams.map((s) => streamRow(s)));
      this.stats.streams = json.streams.length;
      this.streamsNote.textContent = json.streams.length ? (json.next ? 'first 100 shown; narrow with a prefix' : '') : 'No named streams.';
    } catch (e) {
      this.streamsNote.textContent = `cannot list named streams: ${e.message}`;
    }
  }
}

function newRow(id, cells) {
  const tr = el('tr');
  tr.dataset.executionId = id;
  for (let i = 0; i < cells; i++) tr.append(el('td'));
  return tr;
}

function fillRow(tr, e, now) {
  const c = tr.cells;
  const index = e.current_attempt_index;
  if (index === null || index === undefined) {
    c[0].replaceChildren(el('span', 'mono', e.execution_id));
  } else {
    const link = el('a', 'mono', e.execution_id);
    link.href = attemptHref(e.execution_id, index);
    c[0].replaceChildren(link);
  }
  const state = el('span', `badge state-${e.state}`, e.state);
  c[1].replaceChildren(state);
  c[2].textContent = index === null || index === undefined ? 'none yet' : `#${index} (${e.attempt_count} in all)`;
  c[3].textContent = count(e.frame_count);
  c[4].textContent = bytes(e.total_bytes);
  c[5].textContent = e.summary_version === null || e.summary_version === undefined ? '—' : `v${e.summary_version}`;
  c[6].textContent = e.close_reason || '';
  c[7].textContent = age(e.created_at_ms, now);
  c[7].title = iso(e.created_at_ms);
  c[8].textContent = e.last_append_at_ms ? age(e.last_append_at_ms, now) : '—';
  tr.dataset.state = e.state;
  tr.dataset.frames = String(e.frame_count ?? '');
}

function streamRow(s) {
  const tr = el('tr');
  tr.dataset.path = s.path;
  const link = el('a', 'mono', s.path);
  link.href = streamHref(s.path);
  const cells = [link, s.content_type, el('span', `badge state-${s.closed ? 'closed' : 'open'}`, s.closed ? 'closed' : 'open'),
    count(s.frame_count), bytes(s.total_bytes), age(s.created_at_ms)];
  for (const c of cells) {
    const td = el('td');
    if (c instanceof Node) td.append(c); else td.textContent = c;
    tr.append(td);
  }
  return tr;
}
