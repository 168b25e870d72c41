package dev.causalcxr.infra.objectstore;

/** Where an S3-compatible store is and how to sign in. {@link #toString()} hides the secret. */
public record S3Endpoint(String url, String accessKey, String secretKey, String bucket) {

    @Override
    public String toString() {
        return "S3Endpoint[url=" + url + ", bucket=" + bucket + "]";
    }
}
