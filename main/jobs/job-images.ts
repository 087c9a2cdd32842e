import { openFileSource, sha256Of, type ImageSource } from '../devices/image-source';
import type { JobImage } from './driver';
import { JobError } from './errors';
import type { ReleaseComponent } from './types';

/** An opened image file; `close` when the job is done with it. */
export type OpenedImage = ImageSource & { close?(): Promise<void> };

/** Opens a component's file (default: a file source reading by position). */
export type ImageOpener = (component: ReleaseComponent) => Promise<OpenedImage>;

export const openComponentFile: ImageOpener = (c) => openFileSource(c.path);

/**
 * The images of one job: each component is opened once, checked once against the SHA-256 that
 * verification recorded (the file may have changed since, e.g. before a resume), and shared by
 * every device — nobody holds a copy of an image per device.
 */
export class JobImages {
  private readonly opened = new Map<string, Promise<JobImage>>();
  private readonly sources: OpenedImage[] = [];

  constructor(private readonly open: ImageOpener) {}

  /** The shared image of `component`; rejects with `bad-image` when the file is not what was verified. */
  get(component: ReleaseComponent): Promise<JobImage> {
    let p = this.opened.get(component.sha256);
    if (!p) {
      p = this.load(component);
      this.opened.set(component.sha256, p);
      // A failed open is not cached: the next device tries again (the file may come back).
      p.catch(() => this.opened.delete(component.sha256));
    }
    return p;
  }

  /** Closes every file. */
  async close(): Promise<void> {
    this.opened.clear();
    for (const s of this.sources.splice(0)) await s.close?.().catch(() => undefined);
  }

  private async load(c: ReleaseComponent): Promise<JobImage> {
    let source: OpenedImage;
    try {
      source = await this.open(c);
    } catch (err) {
      throw new JobError('bad-image', `Cannot read the image ${c.path}: ${err instanceof Error ? err.message : String(err)}.`);
    }
    this.sources.push(source);
    const sha = await sha256Of(source);
    if (source.size !== c.size || Buffer.from(sha).toString('hex') !== c.sha256) {
      throw new JobError('bad-image', `The image file ${c.path} changed since it was verified (SHA-256 differs); verify it again and start a new job.`);
    }
    return { component: c, source, sha, hash: Buffer.from(c.imageHash, 'hex') };
  }
}
