package dev.causalcxr.infra.datasets;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.infra.metadata.MetadataDb;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;

/** Parsed findings per study in PostgreSQL; replacing an extractor's rows is atomic and idempotent. */
public final class FindingsStore {
    private final MetadataDb db;

    public FindingsStore(MetadataDb db) {
        this.db = db;
    }

    /**
     * @param studyKeys study id → study row id (see {@link DatasetCatalog#studyKeys})
     * @param findings  study id → findings; studies without a row are ignored
     * @return rows written
     */
    public int replace(String extractor, Map<String, Long> studyKeys, Map<String, List<FindingMention>> findings) {
        return db.inTransaction(c -> {
            int n = 0;
            try (PreparedStatement del =
                            c.prepareStatement("delete from findings where study_pk = ? and extractor = ?");
                    PreparedStatement ins = c.prepareStatement("""
                         insert into findings(study_pk, extractor, finding, status, severity, laterality, zone)
                         values (?, ?, ?, ?, ?, ?, ?)""")) {
                for (Map.Entry<String, List<FindingMention>> e : findings.entrySet()) {
                    Long pk = studyKeys.get(e.getKey());
                    if (pk == null || e.getValue() == null) {
                        continue;
                    }
                    del.setLong(1, pk);
                    del.setString(2, extractor);
                    del.addBatch();
                    for (FindingMention m : e.getValue()) {
                        ins.setLong(1, pk);
                        ins.setString(2, extractor);
                        ins.setString(3, m.finding().label());
                        ins.setString(4, m.status().label());
                        ins.setString(5, m.severity().label());
                        ins.setString(6, m.laterality().label());
                        ins.setString(7, m.zone().label());
                        ins.addBatch();
                        n++;
                    }
                }
                del.executeBatch();
                ins.executeBatch();
            }
            return n;
        });
    }

    public int count(String extractor) {
        return db.queryOne(
                        "select count(*) from findings where extractor = ?",
                        ps -> ps.setString(1, extractor),
                        rs -> rs.getInt(1))
                .orElse(0);
    }
}
