/** Tiny real file samples for the material store's tests, built byte by byte. */

/** A minimal PDF: header, one empty object, trailer. */
export function pdfSample(note = ""): Buffer {
  return Buffer.from(`%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Note (${note}) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, "latin1");
}

/** The PNG signature followed by an IHDR chunk of a 1x1 image. */
export function pngSample(): Buffer {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const ihdr = [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89];
  return Buffer.from([...signature, ...ihdr]);
}

/** A JPEG: SOI, a JFIF APP0 segment, EOI. */
export function jpegSample(): Buffer {
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
}

/** One stored (uncompressed) zip local file header with its name and data. */
export function zipEntry(name: string, data: string): Buffer {
  const nameBytes = Buffer.from(name, "utf8");
  const body = Buffer.from(data, "utf8");
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0); // PK\x03\x04
  header.writeUInt16LE(20, 4); // version needed
  header.writeUInt32LE(body.length, 18); // compressed size
  header.writeUInt32LE(body.length, 22); // uncompressed size
  header.writeUInt16LE(nameBytes.length, 26);
  header.writeUInt16LE(0, 28); // no extra field
  return Buffer.concat([header, nameBytes, body]);
}

/** An OFD package: a zip whose entries include OFD.xml (first unless `after` entries come before it). */
export function ofdSample(...after: string[]): Buffer {
  return Buffer.concat([
    ...after.map((n) => zipEntry(n, "<x/>")),
    zipEntry("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>'),
    zipEntry("Doc_0/Document.xml", "<ofd:Document/>"),
  ]);
}

/** A valid resident ID number (check character computed) and credit codes for owners. */
export const PERSON = "11010519491231002X";
export const OTHER_PERSON = "110101199001011237";
export const COMPANY = "91350100M000100Y43";

type TypedError = Error & { type?: string; data?: { field?: string; reason?: string } };

/** The typed error a call throws (sync or async), or a failure when it does not throw. */
export async function thrown(fn: () => unknown): Promise<TypedError> {
  try {
    await fn();
  } catch (err) {
    return err as TypedError;
  }
  throw new Error("expected the call to throw");
}

/** Expects INVALID_ARGUMENT naming `field`. */
export async function expectInvalid(fn: () => unknown, field: string, reason?: RegExp): Promise<void> {
  const e = await thrown(fn);
  expect({ type: e.type, field: e.data?.field }).toEqual({ type: "INVALID_ARGUMENT", field });
  if (reason) expect(e.data?.reason).toMatch(reason);
}
