// A config file's bytes as text (decoded as the scan decodes them), and the text back as bytes in the same
// encoding: UTF-8 with or without its BOM, or UTF-16 with its BOM (as Windows Notepad and PowerShell save),
// little or big endian. A file whose bytes would not come back exactly is refused rather than rewritten.
import { decodeText } from '../discovery/read-text.js';

export class UnsupportedEncoding extends Error {
  override name = 'UnsupportedEncoding';
}

export interface EditableText {
  text: string;
  /** The text as bytes again, in the file's own encoding. */
  encode(text: string): Buffer;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LE_BOM = Buffer.from([0xff, 0xfe]);
const BE_BOM = Buffer.from([0xfe, 0xff]);

function encoderFor(bytes: Buffer): (text: string) => Buffer {
  const starts = (bom: Buffer) => bytes.subarray(0, bom.length).equals(bom);
  if (starts(LE_BOM)) return (text) => Buffer.concat([LE_BOM, Buffer.from(text, 'utf16le')]);
  if (starts(BE_BOM)) return (text) => Buffer.concat([BE_BOM, Buffer.from(text, 'utf16le').swap16()]);
  const bom = starts(UTF8_BOM) ? UTF8_BOM : Buffer.alloc(0);
  return (text) => Buffer.concat([bom, Buffer.from(text, 'utf8')]);
}

export function decodeForEditing(bytes: Buffer, file: string): EditableText {
  const read = decodeText(bytes);
  if (read.status !== 'ok') throw new UnsupportedEncoding(`${file} is not UTF-8 or UTF-16; it is not edited (${read.message})`);
  const encode = encoderFor(bytes);
  if (!encode(read.text).equals(bytes))
    throw new UnsupportedEncoding(`${file} is not UTF-8 or UTF-16; it is not edited (its bytes would not come back the same)`);
  return { text: read.text, encode };
}
