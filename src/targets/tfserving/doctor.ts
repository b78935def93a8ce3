import { type CheckResult, type DoctorEnv, explain, firstLine, pass } from "../../doctor/types.js";
import { locateExecutable } from "../../runtime/locate.js";
import { locateTfServing } from "./serve.js";

/**
 * What `mserve serve --target tfserving` needs: tensorflow_model_server (TF
 * Serving ships no pip package with the binary), or docker for its image.
 */
export async function tfservingDoctor(d: DoctorEnv): Promise<CheckResult[]> {
  const bin = locateTfServing(d.env);
  if (bin) {
    const version = await d.exec(bin, ["--version"]);
    const v = /(\d+\.\d+\.\d+)/.exec(`${version.stdout}\n${version.stderr}`)?.[1];
    return v
      ? [pass("tensorflow_model_server", "tensorflow_model_server", `${v} (${bin})`)]
      : [
          {
            id: "tensorflow_model_server",
            title: "tensorflow_model_server",
            status: "warn",
            detail: `${bin}: no version (${explain(version)})`,
            fix: "Run `tensorflow_model_server --version` by hand to see why it does not start.",
          },
        ];
  }
  const docker = locateExecutable("docker", { PATH: d.env.PATH }, "/");
  const daemon = docker
    ? await d.exec(docker.path, ["version", "--format", "{{.Server.Version}}"])
    : undefined;
  if (daemon && daemon.exitCode === 0 && firstLine(daemon.stdout))
    return [
      pass(
        "tensorflow_model_server",
        "tensorflow_model_server",
        "not on PATH; docker is there: use `mserve serve --target tfserving --runtime docker`",
      ),
    ];
  return [
    {
      id: "tensorflow_model_server",
      title: "tensorflow_model_server",
      status: "fail",
      detail:
        "not on PATH (MSERVE_TFSERVING_BIN, PATH) and no docker daemon for the tensorflow/serving image",
      fix: "Install Docker and run `mserve serve --target tfserving --runtime docker`, or install tensorflow-model-server (apt, from TF Serving's package repository) and put it on PATH.",
    },
  ];
}
