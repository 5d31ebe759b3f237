/**
 * The data-use logs of the hub, one per schema, in the order "who used my data" merges them (a
 * page token names a log by its place here), and the service that answers for each (the gateway's
 * own log is read locally). The verify command walks the same list without starting any service.
 */
export const LOG_SOURCES: ReadonlyArray<{ schema: string; service?: string }> = [
  { schema: "gateway" },
  { schema: "identity", service: "identity" },
  { schema: "licenses", service: "licenses" },
  { schema: "registration", service: "registration" },
  { schema: "social_insurance", service: "social-insurance" },
  { schema: "tax", service: "tax" },
];
