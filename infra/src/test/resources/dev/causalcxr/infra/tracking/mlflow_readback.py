"""Reads runs back through MLflow's own Python client and prints them as JSON (test reference)."""
import json
import sys

from mlflow.tracking import MlflowClient

uri, experiment = sys.argv[1], sys.argv[2]
client = MlflowClient(tracking_uri=uri)
exp = client.get_experiment_by_name(experiment)
out = {"runs": []}
for run in client.search_runs([exp.experiment_id], max_results=1000):
    artifacts = []
    stack = [None]
    while stack:
        path = stack.pop()
        for f in client.list_artifacts(run.info.run_id, path):
            if f.is_dir:
                stack.append(f.path)
            else:
                artifacts.append({"path": f.path, "size": f.file_size})
    history = {k: len(client.get_metric_history(run.info.run_id, k)) for k in run.data.metrics}
    out["runs"].append({
        "run_id": run.info.run_id,
        "name": run.info.run_name,
        "status": run.info.status,
        "artifact_uri": run.info.artifact_uri,
        "params": run.data.params,
        "metrics": run.data.metrics,
        "metric_history_lengths": history,
        "parent": run.data.tags.get("mlflow.parentRunId"),
        "tags": {k: v for k, v in run.data.tags.items() if k.startswith("causalcxr.")},
        "artifacts": sorted(artifacts, key=lambda a: a["path"]),
    })
json.dump(out, sys.stdout)
