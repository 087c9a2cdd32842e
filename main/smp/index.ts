/** The SMP protocol core: constants, CBOR bodies, packets, errors, framings, chunk budget. Pure: no I/O, no timers. */
export * from './constants';
export * from './cbor';
export * from './packet';
export * from './error-codes';
export * from './smp-error';
export * from './crc16';
export * from './framing';
export * from './serial-framing';
export * from './ble-framing';
export * from './hid-framing';
export * from './raw-framing';
export * from './framing-for';
export * from './chunk-budget';
export * from './command-names';
