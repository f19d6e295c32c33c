// Keyboard-wedge scanners "type" a code within a few ms per key and end with Enter.
// Listens wherever focus is; a burst fast enough is a scan, ordinary typing is left alone.
(function () {
  "use strict";
  const MAX_GAP_MS = 35;     // scanners send keys 1-20 ms apart; people type 80+ ms apart
  const MIN_LENGTH = 6;

  function listen(onScan) {
    let buffer = "";
    let last = 0;
    let target = null;
    document.addEventListener("keydown", (ev) => {
      const now = performance.now();
      if (now - last > MAX_GAP_MS) { buffer = ""; target = ev.target; }
      last = now;
      if (ev.key === "Enter") {
        if (buffer.length >= MIN_LENGTH) {
          ev.preventDefault();
          ev.stopPropagation();
          const code = buffer;
          buffer = "";
          // The burst may have landed in a focused text field: take it back out.
          if (target && "value" in target && typeof target.value === "string" &&
              target.value.endsWith(code)) {
            target.value = target.value.slice(0, -code.length);
            target.dispatchEvent(new Event("input", { bubbles: true }));
          }
          onScan(code);
        }
        buffer = "";
        return;
      }
      if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) buffer += ev.key;
    }, true);
  }

  window.Wedge = { listen };
})();
