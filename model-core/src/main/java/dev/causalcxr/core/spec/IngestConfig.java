package dev.causalcxr.core.spec;

/**
 * The {@code dataset} block: where the studies of a run come from. The ingest stage turns it into
 * a versioned dataset.
 *
 * @param source        {@code phantom} (synthetic, with exact counterfactuals) or {@code import}
 * @param name          the dataset's name in the catalogue
 * @param imageSize     side of the square images the pipeline works on
 * @param studies       phantom: number of studies
 * @param minStudiesPerPatient phantom: fewest studies per patient (≥ 2 gives identity groups)
 * @param maxStudiesPerPatient phantom: most studies per patient (longitudinal series)
 * @param format        import: {@code mimic}, {@code chexpert} or {@code manifest}
 * @param path          import: folder or file to import
 * @param strict        import: fail on the first bad row instead of skipping it
 * @param tailFrequency the spec's tail threshold (its top-level {@code tail_frequency}, not a key of this
 *                      block): the data set's findings present in fewer than this fraction of studies are
 *                      reported as tail classes
 */
public record IngestConfig(
        String source,
        String name,
        int imageSize,
        int studies,
        int minStudiesPerPatient,
        int maxStudiesPerPatient,
        String format,
        String path,
        boolean strict,
        double tailFrequency) {

    static IngestConfig read(ConfigNode n, Profile profile, double tailFrequency) {
        String source = n.string("source", "phantom", "phantom", "import");
        String name = n.string("name", "phantom".equals(source) ? "phantom-" + profile.label() : null);
        if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            n.problem("name", "must be 1-64 letters, digits, '.', '_' or '-'");
        }
        int size = n.integer("image_size", profile.imageSize(), 64, 512);
        int studies = n.integer("studies", profile.phantomStudies(), 16, 1_000_000);
        int minPerPatient = n.integer("min_studies_per_patient", 2, 1, 64);
        int maxPerPatient = n.integer("max_studies_per_patient", 4, 1, 64);
        if (maxPerPatient < minPerPatient) {
            n.problem("max_studies_per_patient", "must be at least min_studies_per_patient (" + minPerPatient + ")");
        }
        String format = null;
        String path = null;
        boolean strict = false;
        if ("import".equals(source)) {
            format = n.string("format", null, "mimic", "chexpert", "manifest", "nih");
            path = n.string("path", null);
            strict = n.bool("strict", false);
            for (String phantomOnly : new String[] {"studies", "min_studies_per_patient", "max_studies_per_patient"}) {
                if (n.has(phantomOnly)) {
                    n.problem(phantomOnly, "only applies to source: phantom");
                }
            }
        }
        n.rejectUnknownKeys();
        return new IngestConfig(
                source, name, size, studies, minPerPatient, maxPerPatient, format, path, strict, tailFrequency);
    }
}
