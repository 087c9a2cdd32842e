/**
 * Text from a device (version, echo, OS info, board, names, error messages) made safe to print on
 * a terminal. A device could otherwise send escape sequences that retitle the window, hide or
 * rewrite earlier lines, or fake a verdict. Removed: whole ESC sequences (CSI, OSC, DCS and other
 * string sequences, two-byte escapes), C1 controls (U+0080–U+009F, which include the 8-bit CSI),
 * DEL, and every C0 control except tab and newline; a carriage return alone becomes a newline.
 * JSON output needs none of this: JSON.stringify escapes C0 controls, and a program reads it.
 */

// ESC [ … final byte (CSI); ESC ] P X ^ _ … BEL or ESC \ (string sequences); ESC + one byte.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|[\s\S]?)/g;
// The 8-bit forms: CSI (U+009B) with its parameters, and OSC/DCS/… (U+009D, U+0090, …) up to ST.
// eslint-disable-next-line no-control-regex
const C1_SEQUENCE = /\u009b[0-?]*[ -/]*[@-~]?|[\u0090\u0098\u009d\u009e\u009f][\s\S]*?(?:\u009c|\x07|$)/g;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g;

/** `text` with terminal control sequences and control characters removed (see the module comment). */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(C1_SEQUENCE, '').replace(/\r\n?/g, '\n').replace(OTHER_CONTROLS, '');
}
