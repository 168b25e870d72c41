package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.ContactSheet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The picture a person judges the phantom by: abnormal studies next to their exact counterfactual
 * without any finding, three pairs per row.
 */
public final class PhantomContactSheet {

    private PhantomContactSheet() {}

    /** Writes up to {@code pairs} study/counterfactual pairs (abnormal studies first) as a PNG. */
    public static void write(PhantomGenerator generator, int pairs, int cellSize, Path png) throws IOException {
        ContactSheet.Builder sheet = ContactSheet.builder().cellSize(cellSize).columns(6);
        List<PhantomStudy> abnormal = generator.studies().stream()
                .filter(s -> !s.findings().isEmpty())
                .limit(pairs)
                .toList();
        for (PhantomStudy s : abnormal) {
            sheet.add(generator.render(s).image(), s.studyId() + " " + abbreviate(s.findings()));
            sheet.add(generator.renderCounterfactual(s, List.of()).image(), "CF normal");
        }
        if (abnormal.isEmpty()) {
            generator.studies().stream()
                    .limit(pairs)
                    .forEach(s -> sheet.add(generator.render(s).image(), s.studyId()));
        }
        sheet.writePng(png);
    }

    static String abbreviate(List<FindingMention> findings) {
        return findings.stream().map(m -> shortName(m.finding()) + side(m)).collect(Collectors.joining(" "));
    }

    private static String side(FindingMention m) {
        return switch (m.laterality()) {
            case LEFT -> "L";
            case RIGHT -> "R";
            case BILATERAL -> "B";
            default -> "";
        };
    }

    private static String shortName(Finding f) {
        return switch (f) {
            case PLEURAL_EFFUSION -> "EFF";
            case CARDIOMEGALY -> "CM";
            case PNEUMOTHORAX -> "PTX";
            case CONSOLIDATION -> "CONS";
            case ATELECTASIS -> "ATEL";
            case EDEMA -> "EDEMA";
            case NODULE -> "NOD";
            case MASS -> "MASS";
            case FRACTURE -> "FX";
            case SUPPORT_DEVICES -> "DEV";
            default -> f.key();
        };
    }
}
