// The device's outbox: scans, card photos and edits kept in IndexedDB (they survive reloads and sleep),
// sent one at a time in the order they were made. A scan carries its client_ref, so a resend
// after a lost answer records nothing new on the server: exactly once.
(function () {
  "use strict";
  const DB = "exhibitor-outbox";
  const BATCH = 100; // scans sent together after an outage: one server transaction each
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
  const removeKeys = (keys) => tx("items", "readwrite", (s) => { keys.forEach((k) => s.delete(k)); });
  const setRef = (ref, leadId) => tx("refs", "readwrite", (s) => s.put({ client_ref: ref, lead_id: leadId }));
  const getRef = async (ref) => ((await tx("refs", "readonly", (s) => s.get(ref))) || {}).lead_id;
  // A business card read by the server: its photo's client_ref -> the card's id.
  const setCard = (ref, cardId) => tx("refs", "readwrite", (s) => s.put({ client_ref: "card:" + ref, card_id: cardId }));
  const getCard = async (ref) => ((await tx("refs", "readonly", (s) => s.get("card:" + ref))) || {}).card_id;
  async function head(limit) {
    return tx("items", "readonly", (s) => s.getAll(null, limit));
  }

  // send(items) gets the oldest items and resolves to how many of them, from the front, are
  // done (sent, or refused for good), or to "retry" when the server cannot be reached.
  let again = false;
  async function drain(send, onChange) {
    if (draining) { again = true; return; }
    draining = true;
    try {
      again = false;
      for (;;) {
        const items = await head(BATCH);
        if (!items.length) break;
        let done;
        try { done = await send(items); } catch (e) { done = "retry"; }
        if (done === "retry" || !done) break;
        await removeKeys(items.slice(0, done).map((i) => i.key));
        if (onChange) onChange();
      }
    } finally {
      draining = false;
    }
    // Something was queued while the last round was finishing: go again at once.
    if (again) { again = false; return drain(send, onChange); }
  }

  window.Outbox = { open, add, count, all, remove, setRef, getRef, setCard, getCard, drain };
})();
