// A windowed list: only the rows in view (plus a margin) exist in the DOM, positioned inside a
// spacer as tall as the whole list, so 10 000 or 1 000 000 frames scroll alike.

/** Height of one row in pixels; the stylesheet's .frame-row height must match. */
export const ROW_HEIGHT = 22;
const OVERSCAN = 12;

export class FrameList {
  /**
   * scroller: the element that scrolls; renderRow(rowElement, item) fills a pooled row;
   * onFollowChange(following) is told when scrolling away from the end pauses following, or
   * scrolling back to it resumes.
   */
  constructor(scroller, { renderRow, onFollowChange }) {
    this.scroller = scroller;
    this.renderRow = renderRow;
    this.onFollowChange = onFollowChange;
    this.items = [];
    this.pool = [];
    this.following = true;
    this.scheduled = false;
    this.spacer = document.createElement('div');
    this.spacer.className = 'frame-spacer';
    scroller.appendChild(this.spacer);
    scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  /** Shows another array of items (after a filter change). */
  setItems(items) {
    this.items = items;
    for (const row of this.pool) row.item = null;
    this.changed();
  }

  /** The items array grew (or its last items changed): re-render, and stay at the end when following. */
  changed() {
    this.spacer.style.height = `${this.items.length * ROW_HEIGHT}px`;
    if (this.following) this.scroller.scrollTop = this.scroller.scrollHeight;
    this.schedule();
  }

  setFollowing(following) {
    if (this.following === following) return;
    this.following = following;
    if (following) this.scroller.scrollTop = this.scroller.scrollHeight;
    this.onFollowChange(following);
    this.schedule();
  }

  /** Scrolls so that the item at index is in view, near the top. */
  scrollToIndex(index) {
    this.setFollowing(false);
    this.scroller.scrollTop = Math.max(0, index * ROW_HEIGHT - ROW_HEIGHT * 3);
    this.schedule();
  }

  onScroll() {
    const s = this.scroller;
    const atEnd = s.scrollTop + s.clientHeight >= s.scrollHeight - ROW_HEIGHT;
    if (atEnd !== this.following) {
      this.following = atEnd;
      this.onFollowChange(atEnd);
    }
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  /** Draws the rows in view now (normally called from the next animation frame). */
  render() {
    const s = this.scroller;
    const n = this.items.length;
    const first = Math.max(0, Math.floor(s.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(n, Math.ceil((s.scrollTop + s.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) {
      const row = document.createElement('div');
      row.className = 'frame-row';
      row.item = null;
      this.spacer.appendChild(row);
      this.pool.push(row);
    }
    // a row keeps the item it shows while it stays in view, so scrolling re-fills only new rows
    const free = [];
    const showing = new Map();
    for (const row of this.pool) {
      const i = row.index;
      if (row.item !== null && i >= first && i < last && this.items[i] === row.item && !row.item.dirty) showing.set(i, row);
      else free.push(row);
    }
    for (let i = first; i < last; i++) {
      if (showing.has(i)) continue;
      const row = free.pop();
      const item = this.items[i];
      row.item = item;
      row.index = i;
      row.hidden = false;
      row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      this.renderRow(row, item);
      item.dirty = false;
    }
    for (const row of free) {
      row.hidden = true;
      row.item = null;
    }
  }

  /** How many rows exist in the DOM now (the window, not the list). */
  renderedRows() {
    return this.pool.filter((row) => !row.hidden).length;
  }
}
