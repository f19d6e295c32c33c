// Reads badge QR codes from the phone camera: the browser's BarcodeDetector where it exists,
// otherwise the bundled jsQR decoder on frames drawn to a canvas.
(function () {
  "use strict";
  let stream = null;
  let running = false;

  async function makeDetector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const det = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (video) => {
            const found = await det.detect(video);
            return found.length ? found[0].rawValue : null;
          };
        }
      } catch (e) { /* fall back to jsQR */ }
    }
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    return async (video) => {
      const w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) return null;
      const scale = Math.min(1, 960 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const hit = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      return hit ? hit.data : null;
    };
  }

  async function start(video, onCode) {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const detect = await makeDetector();
    running = true;
    const tick = async () => {
      if (!running) return;
      let code = null;
      try { code = await detect(video); } catch (e) { code = null; }
      if (code && running) { stop(video); onCode(code); return; }
      setTimeout(tick, 120);
    };
    tick();
  }

  function stop(video) {
    running = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
  }

  window.Camera = { start, stop, active: () => running };
})();
