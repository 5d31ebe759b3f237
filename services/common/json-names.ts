/**
 * A proto field's name in protobuf's JSON mapping (and ts-proto's property name): lowerCamelCase,
 * each underscore dropped and the character after it upper-cased (holder_name → holderName).
 */
export function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
