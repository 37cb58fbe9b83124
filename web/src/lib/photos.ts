// Photos from the phone's camera, made smaller in the browser before they are uploaded (issue 16,
// intake photos): a phone photo of 3–8 MB becomes a JPEG of at most 1600 px on its long side (a few
// hundred KB), which is plenty to show a scratch, uploads quickly over a shop's Wi-Fi, and is shown
// as its own thumbnail (an <img> with a width). Re-encoding on a canvas also drops the photo's EXIF
// data (the place it was taken). The server never decodes an image (no native image library, no
// untrusted decoder on the server): it checks the type by the file's first bytes and stores it.
const MAX_SIDE = 1600;

export async function shrinkPhoto(file: File): Promise<Blob> {
  try {
    const bmp = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
    const w = Math.max(1, Math.round(bmp.width * scale));
    const h = Math.max(1, Math.round(bmp.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    ctx.drawImage(bmp, 0, 0, w, h);
    bmp.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    // Keep the original when it is already smaller (a small PNG screenshot).
    return blob && blob.size < file.size ? blob : file;
  } catch {
    // A format this browser cannot decode: sent as it is (the server says whether it is a photo).
    return file;
  }
}

/** The name a shrunk photo is uploaded under. */
export const photoName = (file: File, blob: Blob) => (blob === file ? file.name : `${file.name.replace(/\.[^.]+$/, '') || 'photo'}.jpg`);
