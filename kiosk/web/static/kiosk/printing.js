// After a first check-in the badge prints: on the kiosk's CUPS printer, or through this browser.
// "Take your badge" is said only once the print queue took the job (CUPS answered with a job
// id, or Chromium's --kiosk-printing spooled the page); anything else sends the visitor to the
// desk, and the server has told staff (a live `print_failed` alert). The result screen stays up
// while the badge is on its way, and counts down again from its answer.
(function () {
  "use strict";
  const $ = (sel) => document.querySelector(sel);
  const t = (k) => window.Kiosk.t(k);

  function say(key, kind) {
    const line = $("#result-print");
    line.hidden = false;
    line.dataset.kind = kind;
    line.dataset.key = key;
    line.textContent = t(key);
  }

  async function browserPrint(job) {
    // Chromium started with --kiosk-printing prints this page without a dialog.
    let stage = "image";
    try {
      const res = await fetch(job.png_url, { headers: { Authorization: "Bearer " + KioskApi.token() } });
      if (!res.ok) throw new Error("badge image " + res.status);
      const img = $("#print-img");
      if (img.src) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(await res.blob());
      await img.decode();
      stage = "print";
      $("#print-page").textContent =
        "@page { size: " + job.width_mm + "mm " + job.height_mm + "mm; margin: 0; }" +
        " #print-img { width: " + job.width_mm + "mm; height: " + job.height_mm + "mm; }";
      window.print();
    } catch (e) {
      // The visitor goes to the desk; staff hear of it from the server.
      KioskApi.post("/print-jobs/" + job.job_id + "/failed", { reason: stage }).catch(() => {});
      throw e;
    }
  }

  const HOLD_MS = 30000;
  const AFTER_MS = 8000;

  async function printBadge(attendeeId) {
    say("print_busy", "busy");
    window.Kiosk.extendResult(HOLD_MS);
    let res;
    try { res = await KioskApi.post("/attendees/" + attendeeId + "/print", {}); }
    catch (e) { res = { status: 0, data: {} }; }
    const job = res.data || {};
    if (res.status === 200 && job.status === "browser") {
      try { await browserPrint(job); say("print_ok", "ok"); }
      catch (e) { say("print_failed", "bad"); }
    } else if (res.status === 200) {
      say("print_ok", "ok");
    } else {
      say("print_failed", "bad");
    }
    window.Kiosk.extendResult(AFTER_MS);
    document.dispatchEvent(new CustomEvent("kiosk:printed", { detail: { status: res.status, job } }));
  }

  document.addEventListener("kiosk:checked-in", (ev) => {
    const d = ev.detail || {};
    if (d.direction === "in" && d.first_visit && d.attendee) printBadge(d.attendee.id);
  });
  document.addEventListener("kiosk:lang", () => {
    const line = $("#result-print");
    if (line && line.dataset.key && !line.hidden) line.textContent = t(line.dataset.key);
  });
  window.KioskPrint = { printBadge };
})();
