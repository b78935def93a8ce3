// Rewrites the verb × target table in README.md from src/targets/table.ts (test/unit/readme-matrix.test.ts checks it).
import { readFileSync, writeFileSync } from "node:fs";
import { withMatrix } from "../src/targets/matrix.js";

const path = new URL("../README.md", import.meta.url);
writeFileSync(path, withMatrix(readFileSync(path, "utf8")));
