// A config file's bytes as text, and the text back as bytes in the same encoding: UTF-8 (with or without its
// BOM) and UTF-16 with a BOM (as Windows Notepad and PowerShell save), little or big endian. A file whose bytes
// would not come back exactly is refused rather than rewritten differently.
export class UnsupportedEncoding extends Error {
  override name = 'UnsupportedEncoding';
}

export interface DecodedText {
  text: string;
  /** The text as bytes again, in the file's own encoding. */
  encode(text: string): Buffer;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LE_BOM = Buffer.from([0xff, 0xfe]);
const BE_BOM = Buffer.from([0xfe, 0xff]);

function utf16(bytes: Buffer, bigEndian: boolean, file: string): DecodedText {
  const body = Buffer.from(bytes.subarray(2));
  if (body.length % 2) throw new UnsupportedEncoding(`${file} is not UTF-8 or UTF-16; it is not edited (a UTF-16 mark, an odd number of bytes)`);
  if (bigEndian) body.swap16();
  const encode = (text: string) => {
    const out = Buffer.from(text, 'utf16le');
    if (bigEndian) out.swap16();
    return Buffer.concat([bigEndian ? BE_BOM : LE_BOM, out]);
  };
  return { text: body.toString('utf16le'), encode };
}

export function decodeText(bytes: Buffer, file: string): DecodedText {
  let decoded: DecodedText;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) decoded = utf16(bytes, false, file);
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) decoded = utf16(bytes, true, file);
  else {
    // The parsers read the text without its BOM, as the scan does; it goes back on when written.
    const bom = bytes.subarray(0, 3).equals(UTF8_BOM) ? UTF8_BOM : Buffer.alloc(0);
    decoded = { text: bytes.subarray(bom.length).toString('utf8'), encode: (text) => Buffer.concat([bom, Buffer.from(text, 'utf8')]) };
  }
  // Bytes that are not valid in their encoding would come back changed (UTF-8's U+FFFD): such a file is not edited.
  if (!decoded.encode(decoded.text).equals(bytes)) throw new UnsupportedEncoding(`${file} is not UTF-8 or UTF-16; it is not edited`);
  return decoded;
}
