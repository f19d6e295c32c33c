// A camera scanner bound to this kiosk's gate sends its check-ins here live (the `scan` event).
(function () {
  "use strict";
  document.addEventListener("kiosk:ready", () => {
    if (!window.io || window.Kiosk.socket) return;
    const socket = io("/live", { auth: { token: KioskApi.token() }, transports: ["websocket", "polling"] });
    socket.on("scan", (ev) => {
      const screen = document.body.dataset.screen;
      if (screen === "register" || screen === "pair") return;
      window.Kiosk.showAnswer({ status: ev.status, data: ev.result || {} });
    });
    window.Kiosk.socket = socket;
  });
})();
