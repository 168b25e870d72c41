package dev.causalcxr.core.spec;

/** One problem of a spec, at a field path such as {@code stages.ingest.studies}. */
public record SpecProblem(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
