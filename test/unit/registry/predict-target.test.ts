import { describe, expect, it } from "vitest";
import { parseSince } from "../../../src/commands/logs-predictions.js";
import { onTarget, resolvePredictTarget } from "../../../src/predict/target.js";
import { FileRegistry } from "../../../src/registry/file/backend.js";
import { parseRef } from "../../../src/registry/resolve.js";
import type { Registry } from "../../../src/registry/types.js";
import { actor, artifact, rejectsWith, tempDirs, throwsWith } from "./helpers.js";

const temp = tempDirs("predict-target");

/** A registry with intent:1, intent:2 and intent@PROD → 1. */
async function registryWithIntent() {
  const registry = new FileRegistry(await temp());
  const work = await temp();
  const v1 = await registry.push(await artifact(work, "intent", "1"), actor);
  await registry.push(await artifact(work, "intent", "2"), actor);
  await registry.release("intent", "1", "PROD", actor);
  return { registry, v1: v1.version };
}

const open = (registry: Registry) => async () => registry;
const noRegistry = async (): Promise<Registry> => {
  throw new Error("the registry must not be opened");
};

describe("resolvePredictTarget", () => {
  it("sends a bare name to the server's default version without opening the registry", async () => {
    expect(await resolvePredictTarget(parseRef("intent"), noRegistry)).toEqual({
      name: "intent",
      label: "intent",
    });
  });

  it("resolves versions, aliases, pairs and ids the registry knows", async () => {
    const { registry, v1 } = await registryWithIntent();
    const version = await resolvePredictTarget(parseRef("intent:2"), open(registry));
    expect(version).toMatchObject({ name: "intent", version: "2", label: "intent:2" });
    expect(version.model?.version).toBe("2");
    expect(version.alias).toBeUndefined();

    const alias = await resolvePredictTarget(parseRef("intent@PROD"), open(registry));
    expect(alias).toMatchObject({ name: "intent", version: "1", alias: "PROD", label: "intent@PROD" });
    expect(alias.model?.id).toBe(v1.id);

    const pair = await resolvePredictTarget(parseRef("intent", "PROD"), open(registry));
    expect(pair).toMatchObject({ version: "1", alias: "PROD", label: "intent PROD" });

    const byId = await resolvePredictTarget(parseRef(undefined, undefined, v1.id), open(registry));
    expect(byId).toMatchObject({ name: "intent", version: "1", label: `--id ${v1.id}` });
    expect(byId.model).toEqual(v1);
  });

  it("falls back to a plain server version the registry does not know", async () => {
    const { registry } = await registryWithIntent();
    const target = await resolvePredictTarget(parseRef("intent:9"), open(registry));
    expect(target).toEqual({ name: "intent", version: "9", label: "intent:9" });
    expect(target).not.toHaveProperty("model");
    const pair = await resolvePredictTarget(parseRef("intent", "9"), open(registry));
    expect(pair).toEqual({ name: "intent", version: "9", label: "intent 9" });
  });

  it("refuses an alias or id the registry does not know (NOT_FOUND)", async () => {
    const { registry } = await registryWithIntent();
    const alias = await rejectsWith(
      resolvePredictTarget(parseRef("intent@STG"), open(registry)),
      "NOT_FOUND",
    );
    expect(alias.message).toContain('no alias "STG"');
    await rejectsWith(resolvePredictTarget(parseRef("intnt@PROD"), open(registry)), "NOT_FOUND");
    await rejectsWith(
      resolvePredictTarget(parseRef(undefined, undefined, "zzzzzzzzzz"), open(registry)),
      "NOT_FOUND",
    );
  });

  it("passes any version through when the registry has no such model", async () => {
    const empty = new FileRegistry(await temp());
    expect(await resolvePredictTarget(parseRef("intent:3"), open(empty))).toEqual({
      name: "intent",
      version: "3",
      label: "intent:3",
    });
    expect(await resolvePredictTarget(parseRef("intent", "3"), open(empty))).toEqual({
      name: "intent",
      version: "3",
      label: "intent 3",
    });
    const error = await rejectsWith(resolvePredictTarget(parseRef("intent@PROD"), open(empty)), "NOT_FOUND");
    expect(error.message).toContain('model "intent"');
  });
});

describe("parseSince", () => {
  const now = Date.parse("2026-11-24T12:00:00.000Z");

  it("reads a duration back from now", () => {
    expect(parseSince("2h", now).toISOString()).toBe("2026-11-24T10:00:00.000Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-11-17T12:00:00.000Z");
    expect(parseSince("90", now).toISOString()).toBe("2026-11-24T11:58:30.000Z");
  });

  it("reads a date (UTC midnight) or an ISO time", () => {
    expect(parseSince("2026-11-24", now).toISOString()).toBe("2026-11-24T00:00:00.000Z");
    expect(parseSince("2026-11-24T10:30:00Z", now).toISOString()).toBe("2026-11-24T10:30:00.000Z");
  });

  it.each(["yesterday", "2x", "-2h", "2026-13-45", "2026-11-24Tnonsense", ""])(
    "refuses %j (USAGE)",
    (text) => {
      throwsWith(() => parseSince(text, now), "USAGE");
    },
  );

  it.each(["2026-02-30", "2026-04-31"])(
    "refuses the impossible date %j instead of rolling it over (USAGE)",
    (text) => {
      throwsWith(() => parseSince(text, now), "USAGE");
    },
  );
});

describe("onTarget", () => {
  it("keeps a version of the chosen target or of any target, and drops another target's for a version number", async () => {
    const registry = new FileRegistry(await temp());
    const work = await temp();
    await registry.push(
      { ...(await artifact(work, "intent", "1")), target: "torchserve", kind: "torchserve-archive" },
      actor,
    );
    await registry.release("intent", "1", "PROD", actor);
    const byVersion = await resolvePredictTarget(parseRef("intent", "1"), open(registry));
    expect(onTarget(byVersion, "torchserve").model?.version).toBe("1");
    // Triton's own intent:1, not the registry's TorchServe archive: no model, so no exact check and no model id.
    expect(onTarget(byVersion, "triton")).toEqual({ name: "intent", version: "1", label: "intent 1" });
    const byAlias = await resolvePredictTarget(parseRef("intent@PROD"), open(registry));
    const refused = throwsWith(() => onTarget(byAlias, "triton"), "INVALID_INPUT");
    expect(refused.message).toMatch(
      /intent@PROD is intent:1, a torchserve-archive for torchserve, which triton cannot serve/,
    );
    const plain = await registryWithIntent();
    const anyTarget = await resolvePredictTarget(parseRef("intent@PROD"), open(plain.registry));
    expect(onTarget(anyTarget, "triton").model?.id).toBe(plain.v1.id);
  });
});
