package dev.causalcxr.infra.objectstore;

import dev.causalcxr.core.files.Digests;

/** A published, content-addressed object: its SHA-256 digest, size and key in the bucket. */
public record ObjectRef(String digest, long size) {

    public ObjectRef {
        if (!Digests.isSha256Hex(digest)) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
    }

    public String key() {
        return ObjectStore.keyOf(digest);
    }
}
