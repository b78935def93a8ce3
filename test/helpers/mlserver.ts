import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "./cli.js";

/** MLServer 1.7.1 with its scikit-learn and XGBoost runtimes (requirements-mlserver.txt, in .venv-mlserver). */
const venv = process.env.MSERVE_MLSERVER_VENV ?? join(repoRoot, ".venv-mlserver");
export const mlserverBin = join(venv, "bin", "mlserver");
export const mlserverPython = join(venv, "bin", "python");
export const mlserverMissing = () =>
  existsSync(mlserverBin) ? undefined : `${mlserverBin} not found: run \`npm run setup:python\``;

export interface FixtureAnswers {
  features: number[][];
  iris_v1: number[];
  iris_v2: number[];
  petal_width: number[];
}

/**
 * The fixture models' own answers for fixtures/mlserver/samples.jsonl, computed
 * here by loading the committed files with scikit-learn and XGBoost, as
 * MLServer's runtimes load them (joblib.load, XGBRegressor.load_model).
 */
export async function fixtureAnswers(fixtures: string): Promise<FixtureAnswers> {
  const script = `
import json, sys, joblib, numpy as np, xgboost as xgb
d = sys.argv[1]
rows = [json.loads(l) for l in open(f"{d}/samples.jsonl")]
X = np.array([r["features"] for r in rows])
petal = xgb.XGBRegressor(); petal.load_model(f"{d}/petal/model.json")
print(json.dumps({
  "features": X.tolist(),
  "iris_v1": joblib.load(f"{d}/iris/model.joblib").predict(X).tolist(),
  "iris_v2": joblib.load(f"{d}/iris/model-v2.joblib").predict(X).tolist(),
  "petal_width": [float(v) for v in petal.predict(X[:, :3])],
}))
`;
  const { stdout } = await execa(mlserverPython, ["-c", script, fixtures]);
  return JSON.parse(stdout);
}
