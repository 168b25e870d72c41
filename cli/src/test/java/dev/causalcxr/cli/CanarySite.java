package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.metadata.DbEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A MIMIC-style site export whose patient ids, study ids, image file names and report texts carry unique canary
 * strings, and the searches that prove none of them reached a place it must not: text, every table of a
 * PostgreSQL database, every file (name and bytes) under a folder.
 */
final class CanarySite {
    static final String PATIENT_CANARY = "914702583691";
    static final String STUDY_CANARY = "827364519283";
    static final String FILE_CANARY = "canaryimg7391";
    static final String REPORT_CANARY = "zqxjkvreportcanary";
    static final List<String> CANARIES = List.of(PATIENT_CANARY, STUDY_CANARY, FILE_CANARY, REPORT_CANARY);

    private CanarySite() {}

    /**
     * Writes the phantom's site export of {@code studies} studies into {@code dir/site}, renamed so that every
     * source identifier and report carries a canary; the first image (in path order) is made unreadable when
     * {@code corruptOne} (a strict import fails on it, a lenient one skips it).
     */
    static Path write(Path dir, int studies, boolean corruptOne) throws Exception {
        Path plain = dir.resolve("export");
        assertEquals(
                0,
                Main.execute(
                        "phantom",
                        "--out",
                        plain.toString(),
                        "--studies",
                        Integer.toString(studies),
                        "--size",
                        "64",
                        "--without-truth"));
        Path site = dir.resolve("site");
        Files.createDirectories(site.resolve("files"));
        int images = 0;
        try (Stream<Path> files = Files.walk(plain.resolve("files"))) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                List<String> parts = new ArrayList<>();
                plain.resolve("files").relativize(f).forEach(p -> parts.add(p.toString()));
                // files/pNN/pNNNNNNNN/sNNNNNNNN/x.png and files/pNN/pNNNNNNNN/sNNNNNNNN.txt
                parts.set(1, "p" + PATIENT_CANARY + parts.get(1).substring(1));
                parts.set(
                        2,
                        parts.get(2).startsWith("s")
                                ? "s" + STUDY_CANARY + parts.get(2).substring(1)
                                : parts.get(2));
                if (parts.size() == 4) {
                    parts.set(3, FILE_CANARY + "-" + ++images + ".png");
                }
                Path target = site.resolve("files").resolve(String.join("/", parts));
                Files.createDirectories(target.getParent());
                if (target.toString().endsWith(".txt")) {
                    Files.writeString(target, Files.readString(f) + "\nComparison: " + REPORT_CANARY + ".\n");
                } else {
                    Files.copy(f, target);
                }
            }
        }
        assertEquals(studies, images);
        if (corruptOne) {
            try (Stream<Path> files = Files.walk(site)) {
                Files.writeString(
                        files.filter(f -> f.toString().endsWith(".png"))
                                .sorted()
                                .findFirst()
                                .orElseThrow(),
                        "not a picture");
            }
        }
        return site;
    }

    static void assertNoCanary(String where, String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String c : CANARIES) {
            int at = lower.indexOf(c);
            assertTrue(
                    at < 0,
                    where + " holds the canary " + c + ": …"
                            + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 120)) + "…");
        }
    }

    /** Every row of every table of a database, as text. */
    static void assertNoCanaryInDatabase(DbEndpoint endpoint) throws Exception {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
                Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables
                    where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'""")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertFalse(tables.isEmpty(), endpoint.jdbcUrl());
            for (String t : tables) {
                StringBuilder rows = new StringBuilder();
                try (ResultSet rs = st.executeQuery("select t::text from " + t + " t")) {
                    while (rs.next()) {
                        rows.append(rs.getString(1)).append('\n');
                    }
                }
                assertNoCanary("table " + t + " of " + endpoint.jdbcUrl(), rows.toString());
            }
        }
    }

    /**
     * Every regular file under {@code root} but the {@code excluded} ones, by its path and its bytes.
     *
     * @return how many files were searched
     */
    static int assertNoCanaryInFiles(Path root, Predicate<Path> excluded) throws IOException {
        int searched = 0;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (excluded.test(f)) {
                    continue;
                }
                String name = root.relativize(f).toString();
                assertNoCanary("the file name " + name, name);
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (NoSuchFileException gone) {
                    continue; // a live service's temporary file, removed while the walk went by
                }
                assertNoCanary(name, new String(bytes, StandardCharsets.ISO_8859_1));
                searched++;
            }
        }
        return searched;
    }
}
