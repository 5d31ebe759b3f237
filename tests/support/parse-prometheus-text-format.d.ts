/** The parser's one export (the package ships no types): text exposition → metric families. */
declare module "parse-prometheus-text-format" {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
