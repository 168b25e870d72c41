package dev.causalcxr.infra.tracking;

/** No MLflow server could be installed, started or reached; tracking continues in the journal. */
public class MlflowUnavailableException extends Exception {
    public MlflowUnavailableException(String message) {
        super(message);
    }
}
