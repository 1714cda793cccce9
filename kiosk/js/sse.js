// EventSource wrapper with automatic reconnect and an online/offline callback.
//
//   const stream = connectEvents(`/api/v1/locations/${id}/events`, {
//     handlers: {called: (data, ev) => …, queue: (data) => …},
//     onStatus: (online) => …,   // true on every (re)connect: refetch state then
//   });
//   stream.close();
//
// While the connection drops and comes back by itself, the browser resends Last-Event-ID, so the
// server can replay what was missed. When the browser gives up (HTTP error, server gone), a new
// EventSource is made after a growing, jittered delay (1 s … 30 s); the page should then refetch
// its state, which onStatus(true) tells it to do.

export function connectEvents(url, {handlers = {}, onStatus = () => {}, minDelay = 1000, maxDelay = 30000} = {}) {
  let es = null;
  let closed = false;
  let online = null;
  let delay = minDelay;
  let timer = null;

  const setOnline = (v) => {
    if (v === online) return;
    online = v;
    try { onStatus(v); } catch (e) { console.warn('sse status handler', e); }
  };

  // One wrapper per event type, made once and reused for every EventSource.
  const wrapped = Object.entries(handlers).map(([type, fn]) => [type, (ev) => {
    let data = null;
    try {
      data = ev.data ? JSON.parse(ev.data) : null;
    } catch {
      return; // not JSON: ignore
    }
    try { fn(data, ev); } catch (e) { console.warn(`sse ${type} handler`, e); }
  }]);

  const onOpen = () => { delay = minDelay; setOnline(true); };
  const onError = () => {
    setOnline(false);
    if (es && es.readyState === EventSource.CLOSED) {
      drop();
      schedule();
    }
  };

  function open() {
    timer = null;
    if (closed) return;
    try {
      es = new EventSource(url);
    } catch {
      schedule();
      return;
    }
    es.addEventListener('open', onOpen);
    es.addEventListener('error', onError);
    for (const [type, fn] of wrapped) es.addEventListener(type, fn);
  }

  function drop() {
    if (!es) return;
    es.removeEventListener('open', onOpen);
    es.removeEventListener('error', onError);
    for (const [type, fn] of wrapped) es.removeEventListener(type, fn);
    es.close();
    es = null;
  }

  function schedule() {
    if (closed || timer) return;
    timer = setTimeout(open, delay + Math.random() * delay * 0.3);
    delay = Math.min(delay * 2, maxDelay);
  }

  const onBrowserOffline = () => setOnline(false);
  const onBrowserOnline = () => {
    if (closed) return;
    if (!es || es.readyState === EventSource.CLOSED) {
      drop();
      clearTimeout(timer);
      timer = null;
      delay = minDelay;
      open();
    }
  };
  window.addEventListener('offline', onBrowserOffline);
  window.addEventListener('online', onBrowserOnline);

  open();

  return {
    get online() { return online === true; },
    /** Drops the connection and connects again now (e.g. after a long sleep). */
    reconnect() {
      if (closed) return;
      drop();
      clearTimeout(timer);
      timer = null;
      delay = minDelay;
      open();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      drop();
      window.removeEventListener('offline', onBrowserOffline);
      window.removeEventListener('online', onBrowserOnline);
    },
  };
}
