/**
 * `siteflash keys list | import PEM --name NAME --role image|release`: the trusted keys, shipped
 * (`resources/keys/`) and imported (`<data folder>/keys/`), with their fingerprints; `siteflash keys laptop`:
 * this laptop's own signing key (public part).
 */
import { SiteflashError } from '../../errors';
import { KEY_ROLES, keyStoreFor } from '../../image/key-store';
import { PEM_MAX_BYTES, readRegularFile } from '../../image/regular-file';
import type { KeyRole } from '../../image/trusted-key';
import { laptopKey, publicPart } from '../../secrets/laptop-key';
import { SecretStore } from '../../secrets/secret-store';
import { EXIT, parseOptions, UsageError, type Command } from '../command';

const listCommand: Command = {
  name: 'keys list',
  summary: 'List the trusted keys (shipped and imported) with their SHA-256 fingerprints',
  usage: 'keys list [--json]',
  async run(argv, ctx) {
    parseOptions(argv, {}, false);
    const keys = await keyStoreFor(ctx.dataDir).list();
    if (ctx.json) ctx.out(JSON.stringify({ keys }, null, 2));
    else if (keys.length === 0) ctx.out('No trusted keys: import the project keys with `siteflash keys import`.');
    else for (const k of keys) ctx.out(`${k.role.padEnd(7)}  ${k.name}  ${k.type}  ${k.fingerprint}  (${k.source})`);
    return EXIT.ok;
  },
};

const importCommand: Command = {
  name: 'keys import',
  summary: 'Trust a public key (PEM): role image checks firmware signatures, role release checks release bundles',
  usage: 'keys import PEM --name NAME --role image|release [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseOptions(argv, { name: { type: 'string' }, role: { type: 'string' } });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new UsageError('give exactly one PEM file');
    if (!values.name) throw new UsageError('--name is needed');
    if (!KEY_ROLES.includes(values.role as KeyRole)) throw new UsageError('--role must be image or release');
    const pem = await readRegularFile(file, PEM_MAX_BYTES, (why) => new SiteflashError('not-found', `Cannot read ${file}: ${why}.`));
    const key = await keyStoreFor(ctx.dataDir).importKey(pem, { name: values.name, role: values.role as KeyRole });
    if (ctx.json) ctx.out(JSON.stringify({ name: key.name, role: key.role, type: key.type, fingerprint: key.fingerprint }));
    else ctx.out(`trusted ${key.role} key ${key.name} (${key.type}) ${key.fingerprint}`);
    return EXIT.ok;
  },
};

const laptopCommand: Command = {
  name: 'keys laptop',
  summary: "Show this laptop's own Ed25519 key (signs visit reports; made on first use, kept in the system keychain): public key and fingerprint",
  usage: 'keys laptop [--json]',
  async run(argv, ctx) {
    parseOptions(argv, {}, false);
    const key = publicPart(await laptopKey(new SecretStore()));
    if (ctx.json) ctx.out(JSON.stringify(key, null, 2));
    else ctx.out(`${key.createdNow ? 'made a new laptop key (kept in the system keychain)\n' : ''}laptop key ed25519  ${key.fingerprint}\n${key.publicKeyPem.trimEnd()}`);
    return EXIT.ok;
  },
};

export const keysCommands: Command[] = [listCommand, importCommand, laptopCommand];
