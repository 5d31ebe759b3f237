/** Content sniffing: the bytes decide the type, never the declared content type. */
import { normaliseContentType, requireDeclaredType, sniffContentType } from "../../../../gateway/materials/sniff";
import { expectInvalid, jpegSample, ofdSample, pdfSample, pngSample, zipEntry } from "./samples";

describe("sniffContentType", () => {
  it("recognises PDF, PNG and JPEG by their magic bytes", () => {
    expect(sniffContentType(pdfSample())).toBe("application/pdf");
    expect(sniffContentType(pngSample())).toBe("image/png");
    expect(sniffContentType(jpegSample())).toBe("image/jpeg");
  });

  it("recognises OFD as a zip with an OFD.xml entry, first or not", () => {
    expect(sniffContentType(ofdSample())).toBe("application/ofd");
    expect(sniffContentType(ofdSample("Doc_0/Res/logo.xml", "Doc_0/PublicRes.xml"))).toBe("application/ofd");
  });

  it("treats a zip without an OFD.xml entry as a plain zip, even if its data mentions OFD.xml", () => {
    expect(sniffContentType(zipEntry("report.docx", "see OFD.xml"))).toBe("application/zip");
    expect(sniffContentType(zipEntry("XOFD.xml", "<x/>"))).toBe("application/zip");
    expect(sniffContentType(zipEntry("ofd.xml", "<x/>"))).toBe("application/zip");
  });

  it("recognises nothing in text, executables, truncated headers or a PDF header after junk", () => {
    expect(sniffContentType(Buffer.from("hello, world"))).toBeUndefined();
    expect(sniffContentType(Buffer.from("MZ\x90\x00", "latin1"))).toBeUndefined();
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e]))).toBeUndefined();
    expect(sniffContentType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffContentType(Buffer.from("junk%PDF-1.7"))).toBeUndefined();
    expect(sniffContentType(Buffer.alloc(0))).toBeUndefined();
    expect(sniffContentType(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBe("application/zip");
  });
});

describe("requireDeclaredType", () => {
  it("accepts bytes that are what was declared, in any spelling of the type", async () => {
    expect(requireDeclaredType(pdfSample(), "application/pdf")).toBe("application/pdf");
    expect(requireDeclaredType(jpegSample(), "IMAGE/JPG")).toBe("image/jpeg");
    expect(requireDeclaredType(ofdSample(), "application/ofd; charset=binary")).toBe("application/ofd");
    expect(normaliseContentType(" Image/PNG ")).toBe("image/png");
  });

  it("refuses a spoofed declared type on content_type", async () => {
    await expectInvalid(() => requireDeclaredType(pngSample(), "application/pdf"), "content_type", /content is image\/png/);
    await expectInvalid(() => requireDeclaredType(zipEntry("a.txt", "x"), "application/ofd"), "content_type", /application\/zip/);
  });

  it("refuses unrecognised bytes on content", async () => {
    await expectInvalid(() => requireDeclaredType(Buffer.from("#!/bin/sh\nrm -rf /\n"), "application/pdf"), "content");
  });
});
