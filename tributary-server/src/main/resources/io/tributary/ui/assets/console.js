// The console's entry point: picks the view from the location.

import { initCredentials } from './api.js';
import { el } from './format.js';
import { showExecutions } from './executions-page.js';
import { showStream, attemptTarget, namedTarget } from './stream-page.js';

const ATTEMPT_PATH = /^\/ui\/executions\/([^/]+)\/attempts\/(\d+)\/?$/;
const STREAM_PATH = /^\/ui\/streams\/(.+)$/;

function crumbs(text) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren();
  if (text) nav.append(el('span', 'crumb', text));
}

// what went wrong in the page, for people (the browser console) and the browser tests
window.tributaryErrors = [];
window.addEventListener('error', (event) => window.tributaryErrors.push(String(event.message)));
window.addEventListener('unhandledrejection', (event) => window.tributaryErrors.push(String(event.reason && event.reason.stack || event.reason)));

function start() {
  initCredentials();
  const app = document.getElementById('app');
  const path = location.pathname;
  const attempt = ATTEMPT_PATH.exec(path);
  const stream = STREAM_PATH.exec(path);
  if (attempt) {
    const id = decodeURIComponent(attempt[1]);
    crumbs('attempt');
    document.title = `${id} · attempt ${attempt[2]} · Tributary`;
    showStream(app, attemptTarget(id, Number(attempt[2])));
  } else if (stream) {
    crumbs('named stream');
    document.title = `${decodeURIComponent(stream[1])} · Tributary`;
    showStream(app, namedTarget(stream[1]));
  } else if (path === '/ui/' || path === '/ui') {
    crumbs('');
    showExecutions(app);
  } else {
    app.replaceChildren(el('p', 'error', `No console page at ${path}.`));
  }
}

start();
