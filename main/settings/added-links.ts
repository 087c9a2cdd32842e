import { z } from 'zod';
import { readJsonFile, writeJsonFile } from './json-file';

const schema = z.object({
  /** Serial ports added by path (pseudo-terminals, rfcomm, bridges the OS does not list). */
  ports: z.array(z.string().min(1).max(4096)).max(256).default([]),
  /** Devices added by network address, as their link ids (`udp:HOST:PORT`). */
  addresses: z.array(z.string().min(1).max(300)).max(256).default([]),
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

  /** Keeps `item` in the list `kind` (once), or drops it. */
  set(kind: keyof AddedLinksValue, item: string, kept: boolean): void {
    const rest = this.value[kind].filter((x) => x !== item);
    this.value = { ...this.value, [kind]: kept ? [...rest, item] : rest };
    writeJsonFile(this.dataDir, FILE, this.value);
  }
}
