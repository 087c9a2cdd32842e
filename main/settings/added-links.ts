import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file';

/** At most this many of each kind are kept (the oldest go first): the file stays small and readable. */
const MAX_KEPT = 256;

const schema = z.object({
  /** Serial ports added by path (pseudo-terminals, rfcomm, bridges the OS does not list). */
  ports: z.array(z.string().min(1).max(4096)).max(MAX_KEPT).default([]),
  /** Devices added by network address, as their link ids (`udp:HOST:PORT`). */
  addresses: z.array(z.string().min(1).max(300)).max(MAX_KEPT).default([]),
});

export type AddedLinksValue = z.infer<typeof schema>;

const FILE = 'added-links.json';

/**
 * The ports and addresses the technician added by hand, kept in `<dataDir>/added-links.json` so
 * that they are still there after a restart (a USB-serial bridge at a fixed path, a device's
 * address on the site network). Written to a temporary file and renamed; an unreadable file
 * starts empty rather than stopping the app.
 */
export class AddedLinks {
  private value: AddedLinksValue;

  constructor(private readonly dataDir: string) {
    this.value = readJsonFile(dataDir, FILE, schema);
  }

  get ports(): string[] {
    return [...this.value.ports];
  }

  get addresses(): string[] {
    return [...this.value.addresses];
  }

  /** Keeps `item` in the list `kind` (once, as the newest), or drops it. */
  set(kind: keyof AddedLinksValue, item: string, kept: boolean): void {
    const rest = this.value[kind].filter((x) => x !== item);
    this.value = { ...this.value, [kind]: kept ? [...rest, item].slice(-MAX_KEPT) : rest };
    writeJsonFile(this.dataDir, FILE, this.value);
  }
}
