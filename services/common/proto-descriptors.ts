/**
 * The message descriptors @grpc/proto-loader keeps in a package definition (DescriptorProto as
 * plain objects), and how a field's type name is found in it: what the edge's answer defaults and
 * the CLI's JSON mapping both walk.
 */
import type { PackageDefinition } from "@grpc/proto-loader";

export interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
export interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType?: Array<MessageDescriptor & { options?: { mapEntry?: boolean } | null }>;
}
export interface EnumDescriptor {
  value: Array<{ name: string; number: number }>;
}

/** The descriptor of a message or enum by its full name (e.g. tongban.licenses.v1.Licence), if loaded. */
export function descriptorOf<T = MessageDescriptor>(pkg: PackageDefinition, fullName: string): T | undefined {
  return (pkg as Record<string, { type?: unknown }>)[fullName]?.type as T | undefined;
}

/** The full name of the type a field of message `within` names (relative to its package, or absolute). */
export function typeKey(pkg: PackageDefinition, typeName: string, within: string): string | undefined {
  const name = typeName.replace(/^\./, "");
  const scope = within.slice(0, within.lastIndexOf("."));
  const defs = pkg as Record<string, unknown>;
  return defs[`${scope}.${name}`] !== undefined ? `${scope}.${name}` : defs[name] !== undefined ? name : undefined;
}

/** Whether a field is a map (its type a nested map-entry message). */
export function isMapField(message: MessageDescriptor, f: FieldDescriptor): boolean {
  return Boolean(message.nestedType?.some((n) => n.name === f.typeName.split(".").pop() && n.options?.mapEntry));
}
