package dev.causalcxr.infra.objectstore;

/** A stored object whose bytes no longer match the digest it is addressed by. */
public class CorruptObjectException extends RuntimeException {
    public CorruptObjectException(String message) {
        super(message);
    }
}
