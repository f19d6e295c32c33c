// A camera scanner bound to this kiosk's gate sends its check-ins here live (the `scan` event).
(function () {
  "use strict";
  function connect() {
    if (!window.io || window.Kiosk.socket) return;
    const socket = io("/live", { auth: { token: KioskApi.token() }, transports: ["websocket", "polling"] });
    socket.on("scan", (ev) => {
      const screen = document.body.dataset.screen;
      if (screen === "register" || screen === "pair") return;
      window.Kiosk.showAnswer({ status: ev.status, data: ev.result || {} });
    });
    window.Kiosk.socket = socket;
  }

  // Connect once the page is idle, so a scan typed right after start-up is not slowed down.
  document.addEventListener("kiosk:ready", () => {
    if (window.requestIdleCallback) requestIdleCallback(connect, { timeout: 2000 });
    else setTimeout(connect, 500);
  });
})();
