package dev.causalcxr.cli.serve;

/** A request that is answered with an HTTP error status and a reason meant for the client. */
public final class HttpError extends RuntimeException {
    private final int status;

    public HttpError(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public static HttpError badRequest(String reason) {
        return new HttpError(400, reason);
    }

    public static HttpError notFound(String reason) {
        return new HttpError(404, reason);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return getMessage();
    }
}
