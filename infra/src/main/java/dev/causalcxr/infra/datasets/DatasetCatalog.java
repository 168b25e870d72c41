package dev.causalcxr.infra.datasets;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.infra.metadata.MetadataDb;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Datasets and their versions in PostgreSQL. A version is the digest of the sorted manifest:
 * importing the same files again creates no new version; a changed set creates one that records
 * its parent (the dataset's newest version before it).
 */
public final class DatasetCatalog {
    private final MetadataDb db;

    public DatasetCatalog(MetadataDb db) {
        this.db = db;
    }

    public record VersionRow(
            String dataset,
            String version,
            String parent,
            String bundleDigest,
            String sourceKind,
            int studies,
            Instant createdAt) {}

    /** Records a version (idempotent); returns it and whether it is new. */
    public record Recorded(VersionRow version, boolean created) {}

    public Recorded record(DatasetManifest manifest, String bundleDigest, String sourceKind) {
        String version = manifest.version();
        boolean created = db.inTransaction(c -> {
            long datasetId;
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into datasets(name) values (?) on conflict (name) do update set name = excluded.name returning id")) {
                ps.setString(1, manifest.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    datasetId = rs.getLong(1);
                }
            }
            try (PreparedStatement ps =
                    c.prepareStatement("select 1 from dataset_versions where dataset_id = ? and version_digest = ?")) {
                ps.setLong(1, datasetId);
                ps.setString(2, version);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            String parent = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "select version_digest from dataset_versions where dataset_id = ? order by id desc limit 1")) {
                ps.setLong(1, datasetId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        parent = rs.getString(1);
                    }
                }
            }
            long versionId;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into dataset_versions(dataset_id, version_digest, parent_digest, manifest_digest, source_kind, studies)
                    values (?, ?, ?, ?, ?, ?) returning id""")) {
                ps.setLong(1, datasetId);
                ps.setString(2, version);
                ps.setString(3, parent);
                ps.setString(4, bundleDigest);
                ps.setString(5, sourceKind);
                ps.setInt(6, manifest.entries().size());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    versionId = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into studies(dataset_version_id, study_id, patient_pseudonym, split, image_digest, report_digest)
                    values (?, ?, ?, ?, ?, ?) on conflict do nothing""")) {
                for (DatasetEntry e : manifest.entries()) {
                    ps.setLong(1, versionId);
                    ps.setString(2, e.studyId());
                    ps.setString(3, e.patientId());
                    ps.setString(4, e.split().label());
                    ps.setString(5, e.imageDigest());
                    ps.setString(6, e.reportDigest());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return true;
        });
        return new Recorded(version(manifest.name(), version).orElseThrow(), created);
    }

    private static final String VERSION_SELECT = """
            select d.name, v.version_digest, v.parent_digest, v.manifest_digest, v.source_kind, v.studies, v.created_at
            from dataset_versions v join datasets d on d.id = v.dataset_id""";

    private static VersionRow map(ResultSet rs) throws java.sql.SQLException {
        return new VersionRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getInt(6),
                rs.getTimestamp(7).toInstant());
    }

    /** A version by reference {@code NAME[@VERSION]} (full digest or unique prefix; NAME alone: the newest). */
    public Optional<VersionRow> resolve(String reference) {
        int at = reference.indexOf('@');
        return at < 0 ? version(reference, null) : version(reference.substring(0, at), reference.substring(at + 1));
    }

    /** A version by full digest or unique prefix; the newest when {@code version} is null. */
    public Optional<VersionRow> version(String dataset, String version) {
        if (version == null) {
            return db.queryOne(
                    VERSION_SELECT + " where d.name = ? order by v.id desc limit 1",
                    ps -> ps.setString(1, dataset),
                    DatasetCatalog::map);
        }
        List<VersionRow> rows = db.query(
                VERSION_SELECT + " where d.name = ? and v.version_digest like ? order by v.id desc",
                ps -> {
                    ps.setString(1, dataset);
                    ps.setString(2, version.replace("%", "") + "%");
                },
                DatasetCatalog::map);
        if (rows.size() > 1) {
            throw new IllegalArgumentException("version prefix " + version + " of " + dataset + " is ambiguous");
        }
        return rows.stream().findFirst();
    }

    public List<VersionRow> versions(String dataset) {
        return db.query(
                VERSION_SELECT + " where d.name = ? order by v.id",
                ps -> ps.setString(1, dataset),
                DatasetCatalog::map);
    }

    /** The newest version of every dataset. */
    public List<VersionRow> latest() {
        return db.query(
                VERSION_SELECT
                        + " where v.id in (select max(id) from dataset_versions group by dataset_id) order by d.name",
                ps -> {},
                DatasetCatalog::map);
    }

    /** The study row ids of a version, by study id (for attaching findings). */
    public java.util.Map<String, Long> studyKeys(String dataset, String version) {
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        db.query(
                """
                select s.study_id, s.id from studies s join dataset_versions v on v.id = s.dataset_version_id
                join datasets d on d.id = v.dataset_id where d.name = ? and v.version_digest = ?""",
                ps -> {
                    ps.setString(1, dataset);
                    ps.setString(2, version);
                },
                rs -> m.put(rs.getString(1), rs.getLong(2)));
        return m;
    }

    /** Records the versions {@code dataset@version} was built from (idempotent). */
    public void recordParents(String dataset, String version, List<VersionRow> parents) {
        for (VersionRow p : parents) {
            db.update("""
                    insert into dataset_version_parents(dataset, version_digest, parent_dataset, parent_version)
                    values (?, ?, ?, ?) on conflict do nothing""", ps -> {
                ps.setString(1, dataset);
                ps.setString(2, version);
                ps.setString(3, p.dataset());
                ps.setString(4, p.version());
            });
        }
    }

    /** The versions {@code dataset@version} was built from, as {@code NAME@VERSION}, sorted. */
    public List<String> parents(String dataset, String version) {
        return db.query(
                """
                select parent_dataset || '@' || parent_version from dataset_version_parents
                where dataset = ? and version_digest = ? order by 1""",
                ps -> {
                    ps.setString(1, dataset);
                    ps.setString(2, version);
                },
                rs -> rs.getString(1));
    }
}
