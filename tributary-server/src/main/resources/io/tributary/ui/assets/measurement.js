// What the page measures about itself while it loads a stream, for people (the Stream panel) and
// for the browser tests (window.tributaryConsole.stats): how long until the scrollback was in,
// the longest time one SSE batch took the page to take in, the long tasks the browser reported (PerformanceObserver 'longtask': main-thread work over
// 50 ms) and the longest gap between animation frames while loading.

const WATCH_AFTER_CAUGHT_UP_MS = 1000;

export function measurement(view) {
  const started = performance.now();
  const stats = {
    caughtUpMs: null,
    longTasks: 0,
    longestTaskMs: 0,
    longestFrameGapMs: 0,
    batches: 0,
    longestBatchMs: 0,
    rows: () => view.frames.length,
    visibleRows: () => view.visible.length,
    renderedRows: () => view.list.renderedRows(),
    closed: () => view.closed,
    closeReason: () => view.closeReason,
    summaryVersion: () => view.summary.version,
    following: () => view.list.following,
    caughtUp: null,
  };
  stats.batch = (ms) => {
    stats.batches++;
    stats.longestBatchMs = Math.max(stats.longestBatchMs, Math.round(ms));
  };
  let watching = true;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        stats.longTasks++;
        stats.longestTaskMs = Math.max(stats.longestTaskMs, Math.round(entry.duration));
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // a browser without long-task timing still reports frame gaps
  }
  let last = performance.now();
  const tick = (now) => {
    stats.longestFrameGapMs = Math.max(stats.longestFrameGapMs, Math.round(now - last));
    last = now;
    if (watching) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  stats.caughtUp = () => {
    if (stats.caughtUpMs !== null) return;
    // the scrollback is rendered at the next frame
    requestAnimationFrame(() => {
      stats.caughtUpMs = Math.round(performance.now() - started);
      setTimeout(() => { watching = false; }, WATCH_AFTER_CAUGHT_UP_MS);
    });
  };
  return stats;
}
