"""Reads a registered model back through MLflow's own Python client and prints it as JSON (test reference)."""
import json
import sys

from mlflow import MlflowClient

uri, name = sys.argv[1], sys.argv[2]
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
model = client.get_registered_model(name)
out = {"name": model.name, "aliases": dict(model.aliases), "versions": {}}
for mv in client.search_model_versions(f"name = '{name}'"):
    out["versions"][str(mv.version)] = {
        "source": mv.source,
        "run_id": mv.run_id,
        "status": mv.status,
        "tags": dict(mv.tags),
        # search results leave aliases out; a get fills them in
        "aliases": sorted(client.get_model_version(name, mv.version).aliases),
    }
out["by_alias"] = {a: client.get_model_version_by_alias(name, a).version for a in model.aliases}
json.dump(out, sys.stdout)
