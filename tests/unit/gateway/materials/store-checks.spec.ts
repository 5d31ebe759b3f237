/** The material store's checks and ids, before anything touches the database. */
import { decodeContent } from "../../../../gateway/materials/materials.service";
import {
  checkUpload,
  contentHash,
  materialIdOf,
  requireFileName,
  requireMaterialId,
  requireOwner,
} from "../../../../gateway/materials/store";
import { COMPANY, expectInvalid, jpegSample, PERSON, pdfSample, pngSample } from "./samples";

const upload = (over: Partial<Parameters<typeof checkUpload>[0]> = {}) =>
  checkUpload({ owner: PERSON, typeCode: "LEASE_CONTRACT", fileName: "租赁合同.pdf", bytes: pdfSample(), declaredType: "application/pdf", ...over });

describe("material ids", () => {
  it("are stable per owner, type and content, and differ when any of them does", () => {
    const hash = contentHash(pdfSample());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const id = materialIdOf(PERSON, "LEASE_CONTRACT", hash);
    expect(id).toMatch(/^M-[0-9a-f]{24}$/);
    expect(materialIdOf(PERSON, "LEASE_CONTRACT", hash)).toBe(id);
    expect(materialIdOf(COMPANY, "LEASE_CONTRACT", hash)).not.toBe(id);
    expect(materialIdOf(PERSON, "PREMISES_PROOF", hash)).not.toBe(id);
    expect(materialIdOf(PERSON, "LEASE_CONTRACT", contentHash(pdfSample("v2")))).not.toBe(id);
    expect(requireMaterialId(id)).toBe(id);
  });
});

describe("upload checks", () => {
  it("accepts a well-formed upload and reports the sniffed type", () => {
    expect(upload().contentType).toBe("application/pdf");
    expect(upload({ bytes: jpegSample(), declaredType: "image/jpeg" }).contentType).toBe("image/jpeg");
  });

  it("names the field of each refusal", async () => {
    await expectInvalid(() => upload({ typeCode: "SELFIE" }), "type_code");
    await expectInvalid(() => upload({ fileName: "" }), "file_name");
    await expectInvalid(() => upload({ fileName: "../../etc/passwd" }), "file_name");
    await expectInvalid(() => upload({ fileName: "C:\\lease.pdf" }), "file_name");
    await expectInvalid(() => upload({ fileName: "x".repeat(201) }), "file_name");
    await expectInvalid(() => upload({ declaredType: "text/html" }), "content_type", /not accepted for LEASE_CONTRACT/);
    await expectInvalid(() => upload({ typeCode: "LIQUIDATION_REPORT", bytes: pngSample(), declaredType: "image/png" }), "content_type");
    await expectInvalid(() => upload({ bytes: Buffer.alloc(0) }), "content", /empty/);
    await expectInvalid(() => upload({ bytes: pngSample(), declaredType: "application/pdf" }), "content_type");
  });

  it("holds images to the smaller limit", async () => {
    const bigJpeg = Buffer.concat([jpegSample(), Buffer.alloc(5 * 1024 * 1024)]);
    await expectInvalid(() => upload({ bytes: bigJpeg, declaredType: "image/jpeg" }), "content", /at most 5242880 bytes/);
    const bigPdf = Buffer.concat([pdfSample(), Buffer.alloc(5 * 1024 * 1024)]);
    expect(upload({ bytes: bigPdf }).contentType).toBe("application/pdf");
  });

  it("checks owners and file names", async () => {
    expect(requireOwner(PERSON.toLowerCase())).toBe(PERSON);
    expect(requireOwner(COMPANY)).toBe(COMPANY);
    await expectInvalid(() => requireOwner("110101199001011238"), "owner");
    await expectInvalid(() => requireOwner(undefined), "owner");
    expect(requireFileName("  公司章程（2024修订）.ofd ")).toBe("公司章程（2024修订）.ofd");
    await expectInvalid(() => requireFileName(".."), "file_name");
    await expectInvalid(() => requireFileName("a\u0000.pdf"), "file_name");
  });
});

describe("decodeContent", () => {
  it("decodes strict base64", () => {
    expect(decodeContent(pdfSample().toString("base64"), 1000)).toEqual(pdfSample());
  });

  it("refuses missing, oversize and malformed content before decoding", async () => {
    await expectInvalid(() => decodeContent("", 1000), "content");
    await expectInvalid(() => decodeContent(undefined, 1000), "content");
    await expectInvalid(() => decodeContent(Buffer.alloc(1003).toString("base64"), 1000), "content", /larger than 1000/);
    await expectInvalid(() => decodeContent("JVBERi0x*", 1000), "content_base64");
    await expectInvalid(() => decodeContent("JVBERi0\nx", 1000), "content_base64");
    await expectInvalid(() => decodeContent("JVBERi0", 1000), "content_base64");
    // Padding bits that are not zero (a second spelling of the same bytes), and URL-safe letters.
    await expectInvalid(() => decodeContent("QR==", 1000), "content_base64");
    await expectInvalid(() => decodeContent("ab-_", 1000), "content_base64");
  });

  it("decodes and checks content up to the largest type's limit (20 MiB) without overflowing the stack", async () => {
    const limit = 20 * 1024 * 1024;
    const bytes = Buffer.alloc(limit, 0x25);
    expect(decodeContent(bytes.toString("base64"), limit).equals(bytes)).toBe(true);
    const damaged = bytes.toString("base64");
    await expectInvalid(() => decodeContent(`${damaged.slice(0, 1000)}*${damaged.slice(1001)}`, limit), "content_base64");
  });
});
