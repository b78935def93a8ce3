import { describe, expect, it } from "vitest";
import { unknownAlias, unknownId, unknownModel, unknownVersion } from "../../../src/registry/errors.js";
import {
  actorName,
  checkAlias,
  compareVersions,
  editDistance,
  nearest,
} from "../../../src/registry/names.js";
import { throwsWith } from "./helpers.js";

describe("compareVersions", () => {
  it("sorts the way people number versions", () => {
    expect(["10", "2", "1.10", "1.9"].sort(compareVersions)).toEqual(["1.9", "1.10", "2", "10"]);
    expect(compareVersions("2", "10")).toBeLessThan(0);
    expect(compareVersions("10", "10")).toBe(0);
    expect(compareVersions("10.1", "10")).toBeGreaterThan(0);
  });
});

describe("editDistance", () => {
  it("is the Levenshtein distance, ignoring case", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("PROD", "prod")).toBe(0);
    expect(editDistance("intnt", "intent")).toBe(1);
  });
});

describe("nearest", () => {
  it("suggests close candidates, nearest first, at most three", () => {
    expect(nearest("intnt", ["intent", "other"])).toEqual(["intent"]);
    expect(nearest("prd", ["PROD", "STG", "prod-eu"])).toContain("PROD");
    expect(nearest("zzzzzz", ["intent", "other"])).toEqual([]);
    expect(nearest("a", ["a1", "a2", "a3", "a4", "a5"])).toHaveLength(3);
    expect(nearest("a", ["a1", "a2", "a3", "a4"], 2)).toEqual(["a1", "a2"]);
  });

  it("counts a prefix as close whatever its length", () => {
    expect(nearest("intent", ["intent-classifier-large", "x"])).toEqual(["intent-classifier-large"]);
    // Equal scores are ordered as versions.
    expect(nearest("1", ["11", "10", "2"])).toEqual(["2", "10", "11"]);
  });
});

describe("checkAlias", () => {
  it.each(["PROD", "STG", "canary", "a", "Prod_eu-2", "version2", `A${"b".repeat(62)}`])(
    "accepts %j",
    (alias) => {
      expect(checkAlias(alias)).toBe(alias);
    },
  );

  it.each(["latest", "Latest", "v1", "V12", "1abc", "a b", "", "-x", "PROD!", `A${"b".repeat(63)}`])(
    "refuses %j (USAGE)",
    (alias) => {
      throwsWith(() => checkAlias(alias), "USAGE");
    },
  );
});

describe("actorName", () => {
  it("prefers MSERVE_ACTOR, then CI identities, then user@host", () => {
    expect(actorName({ MSERVE_ACTOR: "bot", GITHUB_ACTIONS: "true", GITHUB_ACTOR: "gh" }, "u", "h")).toBe(
      "bot",
    );
    expect(actorName({ GITHUB_ACTIONS: "true", GITHUB_ACTOR: "gh", GITHUB_RUN_ID: "42" }, "u", "h")).toBe(
      "gh (github run 42)",
    );
    expect(actorName({ GITLAB_CI: "true", GITLAB_USER_LOGIN: "gl" }, "u", "h")).toBe("gl (gitlab job ?)");
    expect(actorName({ GITHUB_ACTIONS: "true" }, "u", "h")).toBe("u@h");
    expect(actorName({}, "u", "h")).toBe("u@h");
  });
});

describe("registry not-found errors", () => {
  it("carry NOT_FOUND, exit 4, and the nearest names in details and hint", () => {
    const model = unknownModel("intnt", ["intent", "zebra"]);
    expect(model.code).toBe("NOT_FOUND");
    expect(model.exitCode).toBe(4);
    expect(model.details).toEqual({ name: "intnt", nearest: ["intent"] });
    expect(model.hint).toContain("Did you mean intent?");

    const version = unknownVersion("intent", "11", ["10", "2"]);
    expect(version.hint).toContain("intent:10");
    expect((version.details as { nearest: string[] }).nearest).toContain("10");

    const alias = unknownAlias("intent", "PRD", ["PROD"]);
    expect(alias.hint).toContain("intent@PROD");
    expect(alias.hint).toContain("Aliases of intent: PROD.");
    expect(unknownAlias("intent", "PROD", []).hint).toContain("has no aliases yet");

    expect(unknownId("abcd", []).hint).not.toContain("Did you mean");
  });
});
