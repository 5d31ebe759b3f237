/** An answer without some fields is sent with their proto3 defaults instead of failing to encode (INTERNAL). */
import * as protoLoader from "@grpc/proto-loader";
import { AnswerDefaults, tolerantEncoder } from "../../../gateway/grpc/answer-defaults";
import { SupervisionServiceService } from "../../../proto/gen/tongban/gateway/v1/supervision";
import { CaseServiceService } from "../../../proto/gen/tongban/gateway/v1/cases";
import { projectPath } from "../../../services/common/paths";

const protos = protoLoader.loadSync(["tongban/gateway/v1/supervision.proto", "tongban/gateway/v1/cases.proto"], { includeDirs: [projectPath("proto")], keepCase: true });
const defaults = new AnswerDefaults(protos);

describe("AnswerDefaults", () => {
  it("fills missing numbers, strings, booleans and lists, also in nested messages, and keeps what is there", () => {
    const answer = { rectificationId: "ZG-A1-tax", score: 1, status: "OPEN" };
    expect(() => SupervisionServiceService.answerRectification.responseSerialize(answer as never)).toThrow(/invalid int32: undefined/);
    const filled = defaults.fill("tongban.gateway.v1.Rectification", answer) as Record<string, unknown>;
    expect(filled).toMatchObject({ rectificationId: "ZG-A1-tax", score: 1, status: "OPEN", revisitScore: 0, measures: "", overdue: false });
    const bytes = SupervisionServiceService.answerRectification.responseSerialize(filled as never);
    expect(SupervisionServiceService.answerRectification.responseDeserialize(bytes)).toMatchObject({ rectificationId: "ZG-A1-tax", score: 1, revisitScore: 0 });

    const page = defaults.fill("tongban.gateway.v1.GetStatisticsResponse", { rows: [{ department: "tax", accepted: 3 }] }) as { rows: Array<Record<string, unknown>>; from: string };
    expect(page.from).toBe("");
    expect(page.rows[0]).toMatchObject({ department: "tax", accepted: 3, completed: 0, onTimeRate: 0 });
    expect((defaults.fill("tongban.gateway.v1.ListOpenCasesResponse", {}) as { cases: unknown[] }).cases).toEqual([]);
  });

  it("gives an enum its zero value", () => {
    // tongban.gateway.v1.DecideRequest has the enum Outcome.
    expect(defaults.fill("tongban.gateway.v1.DecideRequest", { applicationId: "A1" })).toMatchObject({ outcome: "OUTCOME_UNSPECIFIED", stepKey: "" });
    expect(CaseServiceService.decide.path).toBe("/tongban.gateway.v1.CaseService/Decide");
  });

  it("encodes a complete answer as it is and tells when it had to fill one", () => {
    const told: string[] = [];
    const encode = tolerantEncoder(
      (v) => SupervisionServiceService.answerRectification.responseSerialize(v as never),
      (v) => defaults.fill("tongban.gateway.v1.Rectification", v),
      (err) => told.push(err.message),
    );
    encode(defaults.fill("tongban.gateway.v1.Rectification", { rectificationId: "ZG-A2-tax" }));
    expect(told).toEqual([]);
    encode({ rectificationId: "ZG-A3-tax" });
    expect(told).toEqual(["invalid int32: undefined"]);
  });
});
