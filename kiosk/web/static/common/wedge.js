// Keyboard-wedge scanners "type" a code a few ms per key and end with Enter.
// Listens wherever focus is; a burst fast enough is a scan, ordinary typing is left alone.
(function () {
  "use strict";
  const MAX_MEAN_GAP_MS = 30;  // scanners send keys 1-20 ms apart; people type 80+ ms apart
  const BREAK_MS = 250;        // a pause this long starts a new burst
  const MIN_LENGTH = 6;

  function listen(onScan) {
    let buffer = "";
    let first = 0;
    let last = 0;
    let target = null;
    document.addEventListener("keydown", (ev) => {
      const now = performance.now();
      if (now - last > BREAK_MS) { buffer = ""; target = ev.target; first = now; }
      last = now;
      if (ev.key === "Enter") {
        // The mean gap, not each gap, decides: a busy device may delay a key or two.
        const fast = buffer.length >= MIN_LENGTH && (now - first) / buffer.length <= MAX_MEAN_GAP_MS;
        if (fast) {
          ev.preventDefault();
          ev.stopPropagation();
          const code = buffer;
          // The burst may have landed in a focused text field: take it back out.
          if (target && "value" in target && typeof target.value === "string" &&
              target.value.endsWith(code)) {
            target.value = target.value.slice(0, -code.length);
            target.dispatchEvent(new Event("input", { bubbles: true }));
          }
          onScan(code);
        }
        buffer = "";
        last = 0;
        return;
      }
      if (buffer === "") first = now;
      if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) buffer += ev.key;
    }, true);
  }

  window.Wedge = { listen };
})();
