/** Entity tags of status views and If-None-Match matching (RFC 9110 §13.1.2), Prefer: wait (RFC 7240). */
import type http from "node:http";
import { ifNoneMatchMatches, statusTag } from "../../../gateway/orchestrator/status-tag";
import { MAX_WAIT_SECONDS, preferredWaitSeconds } from "../../../gateway/http/portal/conditional";
import { HttpError } from "../../../gateway/http/portal/http-kit";

const view = { applicationId: "A1", status: "RUNNING", msLeft: 1000, light: "GREEN", steps: [{ stepKey: "name", status: "SUCCEEDED", output: { a: 1, b: 2 } }] };

describe("statusTag", () => {
  it("is the same for the same view whatever its key order and countdown, and differs for any other change", () => {
    const tag = statusTag(view);
    expect(tag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(statusTag({ ...view, msLeft: 5 })).toBe(tag);
    expect(statusTag({ steps: [{ output: { b: 2, a: 1 }, status: "SUCCEEDED", stepKey: "name" }], light: "GREEN", status: "RUNNING", applicationId: "A1" })).toBe(tag);
    expect(statusTag({ ...view, light: "YELLOW" })).not.toBe(tag);
    expect(statusTag({ ...view, steps: [{ ...view.steps[0], status: "RUNNING" }] })).not.toBe(tag);
  });
});

describe("ifNoneMatchMatches", () => {
  const tag = statusTag(view);
  const opaque = tag.slice(2);
  it("matches the tag weakly, in a list, and *", () => {
    expect(ifNoneMatchMatches(tag, tag)).toBe(true);
    expect(ifNoneMatchMatches(opaque, tag)).toBe(true);
    expect(ifNoneMatchMatches(`W/"other", ${tag}`, tag)).toBe(true);
    expect(ifNoneMatchMatches(" * ", tag)).toBe(true);
  });
  it("matches nothing for another tag, a malformed value, or none", () => {
    expect(ifNoneMatchMatches('W/"other"', tag)).toBe(false);
    expect(ifNoneMatchMatches(opaque.slice(1, -1), tag)).toBe(false); // unquoted
    expect(ifNoneMatchMatches(`${tag}x`, tag)).toBe(false);
    expect(ifNoneMatchMatches(`${'W/"other",'.repeat(100)} ${tag}`, tag)).toBe(true); // a long list
    expect(ifNoneMatchMatches(`${tag},`.repeat(1000), tag)).toBe(false); // past the length compared
    expect(ifNoneMatchMatches(undefined, tag)).toBe(false);
    expect(ifNoneMatchMatches("", tag)).toBe(false);
  });
});

describe("preferredWaitSeconds", () => {
  const req = (prefer?: string) => ({ headers: prefer === undefined ? {} : { prefer } }) as unknown as http.IncomingMessage;
  it("reads wait among other preferences, and caps it", () => {
    expect(preferredWaitSeconds(req())).toBeUndefined();
    expect(preferredWaitSeconds(req("return=minimal"))).toBeUndefined();
    expect(preferredWaitSeconds(req("wait=10"))).toBe(10);
    expect(preferredWaitSeconds(req('respond-async, Wait="5"; foo=bar'))).toBe(5);
    expect(preferredWaitSeconds(req("wait=0"))).toBe(0);
    expect(preferredWaitSeconds(req("wait=3600"))).toBe(MAX_WAIT_SECONDS);
    expect(preferredWaitSeconds(req("wait=99999999999999999999"))).toBe(MAX_WAIT_SECONDS);
    // Only the first instance counts (RFC 7240 §2); other preferences, however long, are ignored.
    expect(preferredWaitSeconds(req("wait=1, wait=2"))).toBe(1);
    expect(preferredWaitSeconds(req('x="a,wait=1", wait=2'))).toBe(2); // a comma inside a quoted value
    expect(preferredWaitSeconds(req(Array.from({ length: 100 }, (_, i) => `x-ext${i}=1`).join(", ")))).toBeUndefined();
  });
  it.each(["wait=abc", "wait=-1", "wait=1.5", "wait", "wait=", "wait=１", "wait=x, wait=2"])("refuses %s naming prefer", (value) => {
    let caught: unknown;
    try {
      preferredWaitSeconds(req(value));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect(caught).toMatchObject({ status: 400, field: "prefer" });
  });
});
