// A business card photo made fit to send over booth Wi-Fi: a phone's camera file can be 5-12 MB,
// while 2400 pixels on the long side keep every line of a card readable. Smaller files are kept
// as they are; anything the browser cannot decode is sent as it is (the server says why not).
(function () {
  "use strict";
  const LONG_SIDE = 2400;
  const KEEP_BELOW = 1.5 * 1024 * 1024;

  async function shrink(file) {
    if (!file || file.size <= KEEP_BELOW || !window.createImageBitmap) return file;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (e) {
      return file;
    }
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    return blob && blob.size < file.size ? blob : file;
  }

  window.CardPhoto = { shrink };
})();
