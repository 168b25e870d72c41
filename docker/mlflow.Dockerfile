# The MLflow tracking server of the production stack: PostgreSQL backend store, artifacts in S3
# (MinIO), served through the server's artifact proxy. Pinned like the embedded one.
FROM python:3.11-slim
RUN pip install --no-cache-dir mlflow==3.17.2 psycopg2-binary boto3
EXPOSE 5000
ENTRYPOINT ["mlflow", "server", "--host", "0.0.0.0", "--port", "5000", "--workers", "2"]
