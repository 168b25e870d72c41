"""Reads an experiment's runs with their dataset inputs, and a registered model's version tags, back through MLflow's
own Python client; prints them as JSON (test reference)."""
import json
import sys

from mlflow import MlflowClient

uri, experiment, model = sys.argv[1], sys.argv[2], sys.argv[3]
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
exp = client.get_experiment_by_name(experiment)
out = {"runs": [], "versions": {}}
for found in client.search_runs([exp.experiment_id], max_results=1000):
    run = client.get_run(found.info.run_id)
    out["runs"].append({
        "run_id": run.info.run_id,
        "name": run.info.run_name,
        "local_id": run.data.tags.get("causalcxr.local_run_id"),
        "inputs": [
            {
                "name": i.dataset.name,
                "digest": i.dataset.digest,
                "source_type": i.dataset.source_type,
                "source": i.dataset.source,
                "tags": {t.key: t.value for t in i.tags},
            }
            for i in run.inputs.dataset_inputs
        ],
    })
for mv in client.search_model_versions(f"name = '{model}'"):
    out["versions"][str(mv.version)] = dict(mv.tags)
json.dump(out, sys.stdout)
