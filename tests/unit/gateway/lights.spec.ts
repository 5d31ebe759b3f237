/** 红黄灯: green below 90 % of the committed time used, yellow from 90 %, red at and after the deadline. */
import { lightOf } from "../../../gateway/orchestrator/lights";

const start = new Date("2026-11-30T00:00:00Z");
const deadline = new Date("2026-11-30T10:00:00Z"); // 10 hours committed
const at = (share: number) => start.getTime() + share * 10 * 3600_000;

describe("lightOf", () => {
  it("is green at 89 %, yellow at 90 %, red at 100 % and after", () => {
    expect(lightOf(start, deadline, at(0))).toBe("GREEN");
    expect(lightOf(start, deadline, at(0.89))).toBe("GREEN");
    expect(lightOf(start, deadline, at(0.9))).toBe("YELLOW");
    expect(lightOf(start, deadline, at(0.99))).toBe("YELLOW");
    expect(lightOf(start, deadline, at(1))).toBe("RED");
    expect(lightOf(start, deadline, at(3))).toBe("RED");
  });
  it("takes another threshold, ISO text as rows give it, and shows nothing without a start or a deadline", () => {
    expect(lightOf(start.toISOString(), deadline.toISOString(), at(0.75), 0.75)).toBe("YELLOW");
    expect(lightOf(null, deadline, at(0.5))).toBeUndefined();
    expect(lightOf(start, null, at(0.5))).toBeUndefined();
  });
});
