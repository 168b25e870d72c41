-- MLflow keeps its own store in its own database on the same server.
CREATE DATABASE mlflow OWNER causalcxr;
