package dev.causalcxr.core.provenance;

import dev.causalcxr.core.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identity of the code a stage runs, from its bytecode: the SHA-256 over every class of this
 * project reachable from the stage's entry class through the constant pools (fields, methods,
 * descriptors, signatures, lambdas), each without its debug attributes. A change to any method the
 * stage can reach changes it; a change elsewhere (the CLI, tests, docs, another stage's model code)
 * or to a comment does not.
 *
 * <p>Third-party code is not walked: the classes reached are those whose names start with
 * {@link #PROJECT_PREFIX}. Whether the stage reaches the tensor engine ({@code ai/djl/}) is recorded,
 * so its engine's versions and native library can join the key (see {@link RuntimeIdentity}).
 * Reflection that names a class by a string is not followed; the project does not construct stage
 * code that way.
 */
public final class CodeFingerprint {
    /** The packages this fingerprint walks (internal-name form). */
    public static final String PROJECT_PREFIX = "dev/causalcxr/";

    private static final String ENGINE_PREFIX = "ai/djl/";

    /** Where class bytes come from: the bytes of an internal name, or null when there is no such class. */
    @FunctionalInterface
    public interface ClassBytes {
        byte[] read(String internalName) throws IOException;

        /** The class files as a class loader sees them (the jar or folder the running code came from). */
        static ClassBytes of(ClassLoader loader) {
            return name -> {
                try (InputStream in = loader.getResourceAsStream(name + ".class")) {
                    return in == null ? null : in.readAllBytes();
                }
            };
        }
    }

    /**
     * A fingerprint: the digest, how many project classes it covers, and whether any of them reaches
     * the tensor engine.
     */
    public record Identity(String digest, int classes, boolean usesEngine) {}

    private static final CodeFingerprint RUNNING =
            new CodeFingerprint(ClassBytes.of(CodeFingerprint.class.getClassLoader()));

    private final ClassBytes source;
    private final Map<String, ClassFile> parsed = new ConcurrentHashMap<>();
    private final Map<String, Identity> byRoot = new ConcurrentHashMap<>();

    public CodeFingerprint(ClassBytes source) {
        this.source = Objects.requireNonNull(source);
    }

    /** The fingerprints of the code this process runs (computed once per entry class). */
    public static CodeFingerprint running() {
        return RUNNING;
    }

    public Identity of(Class<?> root) {
        return of(root.getName().replace('.', '/'));
    }

    /** The fingerprint of everything reachable from the class with this internal name. */
    public Identity of(String rootInternalName) {
        return byRoot.computeIfAbsent(rootInternalName, this::compute);
    }

    private Identity compute(String root) {
        TreeMap<String, byte[]> reached = new TreeMap<>();
        boolean usesEngine = false;
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new java.util.HashSet<>();
        todo.add(root);
        seen.add(root);
        while (!todo.isEmpty()) {
            String name = todo.poll();
            ClassFile cls = parse(name);
            if (cls == null) {
                if (name.equals(root)) {
                    throw new IllegalArgumentException("no class file for " + root);
                }
                continue; // a package name or resource path that looked like a class
            }
            reached.put(name, sha256(cls.withoutDebug()));
            for (String ref : cls.referencedClasses()) {
                if (ref.startsWith(ENGINE_PREFIX)) {
                    usesEngine = true;
                } else if (ref.startsWith(PROJECT_PREFIX) && seen.add(ref)) {
                    todo.add(ref);
                }
            }
        }
        MessageDigest all = Digests.sha256();
        for (Map.Entry<String, byte[]> e : reached.entrySet()) {
            all.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            all.update((byte) 0);
            all.update(e.getValue());
        }
        return new Identity(HexFormat.of().formatHex(all.digest()), reached.size(), usesEngine);
    }

    private ClassFile parse(String name) {
        ClassFile cached = parsed.get(name);
        if (cached != null) {
            return cached;
        }
        byte[] bytes;
        try {
            bytes = source.read(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class file of " + name, e);
        }
        if (bytes == null) {
            return null;
        }
        ClassFile cls = ClassFile.parse(bytes);
        parsed.put(name, cls);
        return cls;
    }

    private static byte[] sha256(byte[] bytes) {
        return Digests.sha256().digest(bytes);
    }
}
