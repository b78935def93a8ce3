/** A protobuf message schema as scripts/gen-pbtxt-schema.py writes it from the real descriptors. */
export type ScalarType =
  | "double"
  | "float"
  | "int64"
  | "uint64"
  | "int32"
  | "uint32"
  | "bool"
  | "string"
  | "bytes";

export interface FieldSpec {
  name: string;
  number: number;
  repeated: boolean;
  type: ScalarType | "enum" | "message";
  /** Full name of the message or enum type. */
  typeName?: string;
  /** A map<K, V>: a repeated entry message with `key` and `value`. */
  map?: boolean;
  oneof?: string;
}

export interface MessageSpec {
  fields: FieldSpec[];
  mapEntry?: boolean;
}

export interface ProtoSchema {
  root: string;
  messages: Record<string, MessageSpec>;
  enums: Record<string, Record<string, number>>;
}

/** A parsed message: field name → value; repeated fields are arrays, maps are objects. */
export type ProtoMessage = { [field: string]: ProtoValue };
export type ProtoValue =
  | string
  | number
  | boolean
  | ProtoMessage
  | ProtoValue[]
  | { [key: string]: ProtoValue };

export function fieldOf(schema: ProtoSchema, message: string, name: string): FieldSpec | undefined {
  return schema.messages[message]?.fields.find((f) => f.name === name);
}
