import { z } from "zod";

const version = z.union([z.number().int().min(1), z.string().regex(/^[1-9][0-9]*$/)]).transform(String);

/** models.config's model_version_policy, written as TF Serving users know it. */
const versionPolicy = z.union([
  z.string(),
  z.strictObject({ latest: z.number().int().min(1) }),
  z.strictObject({ all: z.literal(true) }),
  z.strictObject({ specific: z.array(version).min(1) }),
]);

/** `targets.tfserving` in mserve.yaml: where the SavedModel is and how models.config serves it. */
export const tfservingSection = z.strictObject({
  "saved-model": z.string().optional(),
  base: z.string().optional(),
  "version-policy": versionPolicy.optional(),
  labels: z.record(z.string().regex(/^[A-Za-z][\w-]*$/), version).optional(),
});
export type TfServingSection = z.infer<typeof tfservingSection>;

/** The policy as the --version-policy text: latest, latest:N, all or specific:1,3. */
export function policyText(policy: TfServingSection["version-policy"]): string | undefined {
  if (policy === undefined || typeof policy === "string") return policy;
  if ("latest" in policy) return `latest:${policy.latest}`;
  if ("all" in policy) return "all";
  return `specific:${policy.specific.join(",")}`;
}
