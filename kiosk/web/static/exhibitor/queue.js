// The device's outbox: scans and edits kept in IndexedDB (they survive reloads and sleep),
// sent one at a time in the order they were made. A scan carries its client_ref, so a resend
// after a lost answer records nothing new on the server: exactly once.
(function () {
  "use strict";
  const DB = "exhibitor-outbox";
  let dbPromise = null;
  let draining = false;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore("items", { keyPath: "key", autoIncrement: true });
          db.createObjectStore("refs", { keyPath: "client_ref" });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  async function tx(store, mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const req = fn(t.objectStore(store));
      t.oncomplete = () => resolve(req && req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const add = (item) => tx("items", "readwrite", (s) => s.add({ ...item, queued_at: new Date().toISOString() }));
  const count = () => tx("items", "readonly", (s) => s.count());
  const all = () => tx("items", "readonly", (s) => s.getAll());
  const remove = (key) => tx("items", "readwrite", (s) => s.delete(key));
  const setRef = (ref, leadId) => tx("refs", "readwrite", (s) => s.put({ client_ref: ref, lead_id: leadId }));
  const getRef = async (ref) => ((await tx("refs", "readonly", (s) => s.get(ref))) || {}).lead_id;
  async function first() {
    return tx("items", "readonly", (s) => s.openCursor()).then((cursor) => cursor && cursor.value);
  }

  // send(item) resolves to "done" (sent or refused for good) or "retry" (server unreachable).
  let again = false;
  async function drain(send, onChange) {
    if (draining) { again = true; return; }
    draining = true;
    try {
      again = false;
      for (;;) {
        const item = await first();
        if (!item) break;
        let outcome;
        try { outcome = await send(item); } catch (e) { outcome = "retry"; }
        if (outcome === "retry") break;
        await remove(item.key);
        if (onChange) onChange();
      }
    } finally {
      draining = false;
    }
    // Something was queued while the last round was finishing: go again at once.
    if (again) { again = false; return drain(send, onChange); }
  }

  window.Outbox = { open, add, count, all, remove, setRef, getRef, drain };
})();
