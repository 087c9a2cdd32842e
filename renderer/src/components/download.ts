/**
 * Hands text to the browser as a file download through a temporary `<a download>` and a Blob
 * address, the same in Electron and in the browser host (no file system access in the renderer).
 */
export function downloadText(fileName: string, text: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(fileName, new Blob([text], { type }));
}

/** Hands bytes (base64, as the bridge carries them) to the browser as a file download. */
export function downloadBase64(fileName: string, base64: string, type = 'application/octet-stream'): void {
  downloadBlob(fileName, new Blob([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], { type }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has started the download; the address can go once the event loop moves on.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
