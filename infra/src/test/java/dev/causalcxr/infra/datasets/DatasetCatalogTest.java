package dev.causalcxr.infra.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.infra.metadata.EmbeddedPostgresServer;
import dev.causalcxr.infra.metadata.MetadataDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCatalogTest {

    private static DatasetEntry entry(int i) {
        String d = String.format("%064x", i);
        return new DatasetEntry(
                "s" + i,
                "p" + (i / 2),
                d,
                d,
                "images/" + d + ".png",
                d,
                "reports/" + d + ".txt",
                Split.TRAIN,
                Map.of(),
                64,
                64);
    }

    @Test
    void sameFilesMakeNoNewVersionAndAddedFilesMakeAChildVersionThatSurvivesARestart(@TempDir Path dir) {
        List<DatasetEntry> entries = new ArrayList<>(List.of(entry(1), entry(2), entry(3)));
        DatasetManifest v1 = new DatasetManifest("site-a", 64, entries);
        String v1Version;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"))) {
            DatasetCatalog catalog = new DatasetCatalog(MetadataDb.connect(pg.endpoint("postgres")));
            DatasetCatalog.Recorded first = catalog.record(v1, "a".repeat(64), "mimic");
            assertTrue(first.created());
            assertNull(first.version().parent());
            v1Version = first.version().version();
            DatasetCatalog.Recorded again =
                    catalog.record(new DatasetManifest("site-a", 64, List.copyOf(entries)), "a".repeat(64), "mimic");
            assertFalse(again.created(), "re-importing the same files creates no new version");
            assertEquals(v1Version, again.version().version());
            assertEquals(3, catalog.studyKeys("site-a", v1Version).size());
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"))) {
            DatasetCatalog catalog = new DatasetCatalog(MetadataDb.connect(pg.endpoint("postgres")));
            entries.add(entry(4));
            DatasetCatalog.Recorded v2 =
                    catalog.record(new DatasetManifest("site-a", 64, entries), "b".repeat(64), "mimic");
            assertTrue(v2.created());
            assertEquals(v1Version, v2.version().parent(), "the new version records its parent");
            assertEquals(2, catalog.versions("site-a").size(), "versions survive a restart of PostgreSQL");
            assertEquals(
                    v2.version().version(),
                    catalog.version("site-a", null).orElseThrow().version());
            assertEquals(
                    v1Version,
                    catalog.version("site-a", v1Version.substring(0, 10))
                            .orElseThrow()
                            .version());
        }
    }
}
