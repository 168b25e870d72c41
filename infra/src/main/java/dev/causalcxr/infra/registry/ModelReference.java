package dev.causalcxr.infra.registry;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed model reference: {@code NAME} (the latest version), {@code NAME@7} (version 7) or
 * {@code NAME@champion} (what the alias points at; {@code NAME@latest} is the highest version).
 */
public record ModelReference(String name, Integer version, String alias) {
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");

    public static ModelReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("empty model reference; expected NAME, NAME@VERSION or NAME@ALIAS");
        }
        String ref = reference.strip();
        int at = ref.indexOf('@');
        String name = at < 0 ? ref : ref.substring(0, at);
        String suffix = at < 0 ? null : ref.substring(at + 1);
        if (suffix != null && (suffix.isEmpty() || suffix.indexOf('@') >= 0)) {
            throw new IllegalArgumentException("malformed model reference '" + reference
                    + "'; expected NAME, NAME@VERSION (e.g. cxr-gen@3) or NAME@ALIAS (e.g. cxr-gen@champion)");
        }
        RegistryNames.checkModelName(name);
        if (suffix == null || suffix.equals(ModelRegistry.LATEST)) {
            return new ModelReference(name, null, null);
        }
        if (NUMBER.matcher(suffix).matches()) {
            return new ModelReference(name, Integer.parseInt(suffix), null);
        }
        return new ModelReference(name, null, suffix);
    }

    /** True for {@code NAME} and {@code NAME@latest}. */
    public boolean latest() {
        return version == null && alias == null;
    }

    public Optional<Integer> versionNumber() {
        return Optional.ofNullable(version);
    }

    public Optional<String> aliasName() {
        return Optional.ofNullable(alias);
    }

    @Override
    public String toString() {
        return version != null ? name + "@" + version : alias != null ? name + "@" + alias : name;
    }
}
