/**
 * 好差评's five levels (国办发〔2019〕51号, 政务服务"好差评"制度): the applicant's score 1-5 is a level,
 * and the two bad ones must say why, so that the department can put it right (差评整改).
 */
import { invalidArgument } from "../../services/common/errors";
import { canonicalText } from "../../services/common/validate";

export const LEVELS = {
  5: { code: "VERY_SATISFIED", nameZh: "非常满意" },
  4: { code: "SATISFIED", nameZh: "满意" },
  3: { code: "BASICALLY_SATISFIED", nameZh: "基本满意" },
  2: { code: "DISSATISFIED", nameZh: "不满意" },
  1: { code: "VERY_DISSATISFIED", nameZh: "非常不满意" },
} as const;

export type Score = keyof typeof LEVELS;
export type LevelCode = (typeof LEVELS)[Score]["code"];

/** A bad rating (差评): 不满意 or 非常不满意. It needs a reason and opens a rectification case. */
export const isBad = (score: number): boolean => score <= 2;
/** Counts towards 满意率: 基本满意 and better. */
export const isSatisfied = (score: number): boolean => score >= 3;

/** The level of a score (1-5). */
export const levelOf = (score: number): { code: LevelCode; nameZh: string } => LEVELS[score as Score];

/** Longest comment or reason, in characters. */
export const COMMENT_MAX = 500;

/**
 * A checked score and comment: `score` a whole number 1-5; `comment` text up to 500 characters
 * (canonical: NFC, no control or format characters), required (≥ 2 characters) for 1 and 2.
 * `field` prefixes the names in errors (e.g. "departments[0].").
 * Errors: INVALID_ARGUMENT naming `<field>score` or `<field>comment`.
 */
export function checkScore(score: unknown, comment: unknown, field = ""): { score: number; comment?: string } {
  if (typeof score !== "number" || !Number.isInteger(score) || score < 1 || score > 5) {
    throw invalidArgument(`${field}score`, "must be a whole number from 1 (非常不满意) to 5 (非常满意)");
  }
  if (comment !== undefined && comment !== null && typeof comment !== "string") throw invalidArgument(`${field}comment`, "must be text");
  const text = typeof comment === "string" ? canonicalText(comment.trim(), `${field}comment`, { multiline: true }) : "";
  if ([...text].length > COMMENT_MAX) throw invalidArgument(`${field}comment`, `must be at most ${COMMENT_MAX} characters (got ${[...text].length})`);
  if (isBad(score) && [...text].length < 2) {
    throw invalidArgument(`${field}comment`, `is required for ${levelOf(score).nameZh} (a score of 1 or 2): 差评须说明理由`);
  }
  return text ? { score, comment: text } : { score };
}
