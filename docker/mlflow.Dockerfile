# The MLflow tracking server of the production stack: PostgreSQL backend store, artifacts in S3
# (MinIO), served through the server's artifact proxy. The same pinned packages as the embedded one
# (every dependency at an exact version). Build from the repository root:
#   docker build -f docker/mlflow.Dockerfile .
FROM python:3.11.7-slim
COPY infra/src/main/resources/dev/causalcxr/infra/tracking/mlflow-requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt
RUN useradd --create-home --uid 10002 mlflow
USER mlflow
EXPOSE 5000
ENTRYPOINT ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--workers", "2"]
