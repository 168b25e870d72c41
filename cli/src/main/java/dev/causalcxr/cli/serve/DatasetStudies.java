package dev.causalcxr.cli.serve;

import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The studies of imported dataset versions, as source images: a version's bundle is fetched from the
 * object store once (digest-verified) into a cache folder and its manifest kept in memory; a few
 * bundles are kept (least recently used go first).
 */
public final class DatasetStudies implements AutoCloseable {
    private static final int KEPT = 4;

    private final DatasetCatalog catalog;
    private final ObjectStore store;
    private final Path cacheDir;
    private final LinkedHashMap<String, Bundle> bundles = new LinkedHashMap<>(16, 0.75f, true);

    /** A fetched bundle. */
    public record Bundle(
            DatasetCatalog.VersionRow version,
            Path file,
            List<DatasetEntry> entries,
            Map<String, DatasetEntry> byStudy) {
        public String reference() {
            return version.dataset() + "@" + version.version().substring(0, 12);
        }
    }

    public DatasetStudies(DatasetCatalog catalog, ObjectStore store, Path cacheDir) {
        this.catalog = catalog;
        this.store = store;
        this.cacheDir = cacheDir;
    }

    /** The newest version of every dataset. */
    public List<DatasetCatalog.VersionRow> latest() {
        return catalog.latest();
    }

    /** The bundle of {@code NAME[@VERSION]} (404 when there is none, 400 for an ambiguous prefix). */
    public Bundle bundle(String reference) {
        if (reference == null || reference.isBlank()) {
            throw HttpError.badRequest("no dataset given");
        }
        DatasetCatalog.VersionRow row;
        try {
            row = catalog.resolve(reference.strip())
                    .orElseThrow(() ->
                            HttpError.notFound("no dataset " + reference.strip() + " (GET /v1/datasets lists them)"));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        return fetched(row);
    }

    private synchronized Bundle fetched(DatasetCatalog.VersionRow row) {
        Bundle b = bundles.get(row.bundleDigest());
        if (b != null) {
            return b;
        }
        try {
            Files.createDirectories(cacheDir);
            Path file = cacheDir.resolve(row.bundleDigest() + ".zip");
            store.getToFile(row.bundleDigest(), file);
            List<DatasetEntry> entries = DatasetBundle.readManifest(file).entries();
            Map<String, DatasetEntry> byStudy = new LinkedHashMap<>();
            for (DatasetEntry e : entries) {
                byStudy.putIfAbsent(e.studyId(), e);
            }
            b = new Bundle(row, file, List.copyOf(entries), byStudy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bundles.put(row.bundleDigest(), b);
        for (Iterator<Bundle> it = bundles.values().iterator(); bundles.size() > KEPT && it.hasNext(); ) {
            Bundle old = it.next();
            it.remove();
            deleteQuietly(old.file());
        }
        return b;
    }

    /** The converted PNG of a study (404 when the version has no such study). */
    public byte[] studyPng(Bundle bundle, String study) {
        DatasetEntry entry = Optional.ofNullable(study)
                .map(bundle.byStudy()::get)
                .orElseThrow(() -> HttpError.notFound("no such study in " + bundle.reference()));
        try {
            return DatasetBundle.readFile(bundle.file(), entry.imagePath())
                    .orElseThrow(() -> new IOException(
                            "dataset bundle " + bundle.version().bundleDigest() + " lacks an image it lists"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        bundles.values().forEach(b -> deleteQuietly(b.file()));
        bundles.clear();
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover cache file is harmless
        }
    }
}
