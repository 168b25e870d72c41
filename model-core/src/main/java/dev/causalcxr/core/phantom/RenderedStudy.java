package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.List;
import java.util.Optional;

/** A rendered phantom image with one region mask per rendered finding. */
public record RenderedStudy(GrayImage image, List<FindingMask> masks) {

    public RenderedStudy {
        masks = List.copyOf(masks);
    }

    public Optional<FindingMask> mask(Finding f) {
        return masks.stream().filter(m -> m.finding() == f).findFirst();
    }
}
