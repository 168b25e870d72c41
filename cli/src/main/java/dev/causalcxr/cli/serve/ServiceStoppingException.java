package dev.causalcxr.cli.serve;

/** The service is shutting down: answered 503. */
public final class ServiceStoppingException extends IllegalStateException {
    public ServiceStoppingException() {
        super("the service is stopping");
    }
}
