import type { FileUpload, Result, SiteflashBridge } from '../../../preload/api';

/** Reads a picked file into the contract's upload shape (base64, so every bridge carries it alike). For small files only. */
export async function toUpload(file: File): Promise<FileUpload> {
  return { fileName: file.name, dataBase64: toBase64(new Uint8Array(await file.arrayBuffer())) };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list small.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Sends a picked file to the core in numbered chunks of raw bytes, one at a time, each acknowledged
 * before the next is read from the file: the page and the core hold one chunk, whatever the file's size.
 * Resolves with the upload id to import or check; on any refusal the upload is dropped.
 */
export async function sendFile(bridge: SiteflashBridge, file: File, onProgress?: (sent: number, total: number) => void): Promise<Result<{ uploadId: string }>> {
  const begun = await bridge.invoke('upload:begin', { fileName: file.name, size: file.size });
  if (!begun.ok) return begun;
  const { uploadId, chunkBytes } = begun.value;
  for (let offset = 0, seq = 0; offset < file.size; offset += chunkBytes, seq++) {
    const bytes = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    const sent = await bridge.invoke('upload:chunk', { uploadId, seq, data: bytes });
    if (!sent.ok) {
      await bridge.invoke('upload:abort', { uploadId });
      return sent;
    }
    onProgress?.(sent.value.received, file.size);
  }
  return { ok: true, value: { uploadId } };
}
