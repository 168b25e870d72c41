package dev.causalcxr.infra.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One registered version of a named model: its bundle (component role → content digest in the
 * object store, provenance and metrics, published as one canonical JSON object), the aliases that
 * point at it now, and the version number MLflow's registry gave its mirror, when it has one.
 */
public record ModelVersion(
        String name,
        int version,
        String bundleDigest,
        Map<String, String> components,
        Map<String, String> provenance,
        Map<String, Double> metrics,
        List<String> aliases,
        Instant createdAt,
        String registryVersion) {

    public ModelVersion {
        components = Map.copyOf(components);
        provenance = Map.copyOf(provenance);
        metrics = Map.copyOf(metrics);
        aliases = List.copyOf(aliases);
    }

    /** {@code NAME@VERSION}: the reference that always names exactly this version. */
    public String reference() {
        return name + "@" + version;
    }

    /** The version of MLflow's registered model mirroring this one; empty until it is mirrored. */
    public Optional<String> mlflowVersion() {
        return Optional.ofNullable(registryVersion);
    }
}
