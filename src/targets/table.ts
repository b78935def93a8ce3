import { kserve } from "./kserve/descriptor.js";
import { mlserver } from "./mlserver/descriptor.js";
import type { TargetDescriptor } from "./target.js";
import { tfserving } from "./tfserving/descriptor.js";
import { torchserve } from "./torchserve/descriptor.js";
import { triton } from "./triton/descriptor.js";

/** Every server mserve drives: one line each. The order is the order of help texts and tables. */
export const TARGETS = { torchserve, triton, tfserving, kserve, mlserver } as const satisfies Record<
  string,
  TargetDescriptor
>;

export type TargetId = keyof typeof TARGETS;
export const TARGET_IDS = Object.keys(TARGETS) as TargetId[];

export const isTargetId = (value: string | undefined): value is TargetId =>
  value !== undefined && Object.hasOwn(TARGETS, value);

export const descriptorOf = (id: TargetId): TargetDescriptor => TARGETS[id];
