package dev.causalcxr.core.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A dataset folder as one file, so that it can be one content-addressed object. The zip is
 * deterministic (sorted entries, fixed timestamps, stored not deflated: PNGs are compressed
 * already), so the same folder always gives the same digest.
 */
public final class DatasetBundle {
    private static final FileTime EPOCH = FileTime.fromMillis(0);
    static final String MANIFEST = "manifest.json";

    private DatasetBundle() {}

    public static void pack(Path folder, Path zipFile) throws IOException {
        List<Path> files;
        try (var walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Path tmp = zipFile.resolveSibling(zipFile.getFileName() + ".part");
        try (OutputStream raw = Files.newOutputStream(tmp);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            zip.setLevel(0);
            for (Path f : files) {
                ZipEntry e = new ZipEntry(folder.relativize(f).toString().replace('\\', '/'));
                e.setLastModifiedTime(EPOCH);
                e.setCreationTime(EPOCH);
                e.setLastAccessTime(EPOCH);
                zip.putNextEntry(e);
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        Files.move(tmp, zipFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The bytes of one file of the bundle ({@code images/…}, {@code manifest.json}), without unpacking the rest. */
    public static Optional<byte[]> readFile(Path zipFile, String name) throws IOException {
        try (InputStream raw = Files.newInputStream(zipFile);
                ZipInputStream zip = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().equals(name)) {
                    return Optional.of(zip.readAllBytes());
                }
            }
        }
        return Optional.empty();
    }

    /** The bundle's {@code manifest.json}. */
    public static DatasetManifest readManifest(Path zipFile) throws IOException {
        byte[] json = readFile(zipFile, MANIFEST)
                .orElseThrow(() -> new IOException("dataset bundle " + zipFile.getFileName() + " has no " + MANIFEST));
        return DatasetManifest.fromJson(new String(json, StandardCharsets.UTF_8));
    }

    /** Unpacks into {@code folder} (created); refuses entries that would escape it. */
    public static Path unpack(Path zipFile, Path folder) throws IOException {
        Files.createDirectories(folder);
        Path root = folder.toAbsolutePath().normalize();
        try (InputStream raw = Files.newInputStream(zipFile);
                ZipInputStream zip = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("bundle entry escapes its folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return folder;
    }
}
