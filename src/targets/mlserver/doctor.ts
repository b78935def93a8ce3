import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "../../doctor/types.js";
import { INSTALL_HINT, installedModules, locateMlserver } from "./locate.js";
import { RUNTIMES } from "./settings.js";

/** What `mserve serve --target mlserver` needs: an mlserver that starts, and the runtimes models name. */
export async function mlserverDoctor(d: DoctorEnv): Promise<CheckResult[]> {
  const install = locateMlserver(d.env, d.cwd);
  if (!install)
    return [
      {
        id: "mlserver",
        title: "mlserver",
        status: "fail",
        detail: "not found (MSERVE_MLSERVER_BIN, $VIRTUAL_ENV, ./.venv-mlserver, ./.venv, PATH)",
        fix: `${INSTALL_HINT}, or use --runtime docker`,
      },
    ];
  const version = await d.exec(install.bin, ["--version"], { timeoutMs: 30_000 });
  const text = `${version.stdout}\n${version.stderr}`;
  const v = /version\s+(\d+\.\d+\.\d+)/i.exec(text)?.[1];
  const rows: CheckResult[] = [
    v
      ? pass("mlserver", "mlserver", `${v} (${install.bin}, ${install.source})`)
      : {
          id: "mlserver",
          title: "mlserver",
          status: "fail",
          detail: `${install.bin}: no version (${explain(version) || firstLine(text)})`,
          fix: "Run it by hand to see why: `mlserver --version`; reinstall with `npm run setup:python`.",
        },
  ];
  const modules = Object.values(RUNTIMES).map((r) => r.module);
  const installed = installedModules(install, modules);
  if (installed === undefined)
    rows.push({
      id: "mlserver-runtimes",
      title: "MLServer runtimes",
      status: "warn",
      detail: `cannot tell: ${install.bin} is not in a Python environment mserve can read`,
    });
  else
    rows.push(
      installed.length > 0
        ? pass(
            "mlserver-runtimes",
            "MLServer runtimes",
            `${installed.join(", ")}${installed.length < modules.length ? ` (not: ${modules.filter((m) => !installed.includes(m)).join(", ")})` : ""}`,
          )
        : {
            id: "mlserver-runtimes",
            title: "MLServer runtimes",
            status: "warn",
            detail: "none of mlserver-sklearn, mlserver-xgboost, mlserver-lightgbm (custom models only)",
            fix: "pip install mlserver-sklearn==1.7.1 mlserver-xgboost==1.7.1 next to mlserver",
          },
    );
  return rows;
}
