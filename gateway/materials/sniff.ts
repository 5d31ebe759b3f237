/**
 * The real content type of an upload, read from its first bytes. The declared type comes from the
 * applicant's browser or a department's client and is never trusted: a PNG called a PDF, or an
 * executable called a JPEG, is refused before it is stored.
 */
import { invalidArgument } from "../../services/common/errors";
import { JPEG, OFD, PDF, PNG } from "./catalogue";

/** What the bytes are: a type the store knows, a plain zip (not OFD), or unrecognised. */
export type SniffedType = typeof PDF | typeof OFD | typeof JPEG | typeof PNG | "application/zip" | undefined;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const PDF_HEADER = Buffer.from("%PDF-", "latin1");
// OFD (GB/T 33190) is a zip whose root entry OFD.xml is the document's entry point; writers put
// it first, so its local header sits within the first few hundred bytes.
const OFD_ENTRY = "OFD.xml";
const OFD_SCAN_BYTES = 4096;

const startsWith = (bytes: Uint8Array, prefix: Uint8Array, at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

/**
 * Whether a zip local file header at `at` names the OFD entry. Only real headers count, so the text
 * "OFD.xml" inside some other entry's data does not make a zip an OFD.
 */
function namesOfdEntry(bytes: Uint8Array, at: number): boolean {
  if (!startsWith(bytes, ZIP_LOCAL_HEADER, at) || bytes.length < at + 30) return false;
  const nameLength = bytes[at + 26] | (bytes[at + 27] << 8);
  if (nameLength !== OFD_ENTRY.length || bytes.length < at + 30 + nameLength) return false;
  return Buffer.from(bytes.subarray(at + 30, at + 30 + nameLength)).toString("latin1") === OFD_ENTRY;
}

/** The content type the bytes really are, from their magic numbers; undefined when unrecognised. */
export function sniffContentType(bytes: Uint8Array): SniffedType {
  // PDF readers tolerate junk before the header; the store does not, so a file is one thing only.
  if (startsWith(bytes, PDF_HEADER)) return PDF;
  if (startsWith(bytes, PNG_SIGNATURE)) return PNG;
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return JPEG;
  if (startsWith(bytes, ZIP_LOCAL_HEADER)) {
    const end = Math.min(bytes.length, OFD_SCAN_BYTES);
    for (let at = 0; at + 30 <= end; at++) {
      if (bytes[at] === 0x50 && namesOfdEntry(bytes, at)) return OFD;
    }
    return "application/zip";
  }
  return undefined;
}

// Names clients send for the same format.
const ALIASES: Record<string, string> = { "image/jpg": JPEG, "image/pjpeg": JPEG, "image/x-png": PNG, "application/x-ofd": OFD };

/** The declared content type in canonical form: lower case, parameters (";charset=...") dropped, aliases resolved. */
export function normaliseContentType(declared: string): string {
  const bare = declared.split(";", 1)[0].trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

/**
 * The content type of the bytes, which must be what was declared. Unrecognised bytes are refused
 * on `content`; bytes of another type than declared on `content_type`.
 */
export function requireDeclaredType(bytes: Uint8Array, declared: string): string {
  const wanted = normaliseContentType(declared);
  const actual = sniffContentType(bytes);
  if (!actual) throw invalidArgument("content", `is not a PDF, OFD, JPEG or PNG file (declared ${wanted})`);
  if (actual !== wanted) throw invalidArgument("content_type", `declared ${wanted} but the content is ${actual}`);
  return actual;
}
